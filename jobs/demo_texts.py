"""Short sentence templates per theme for synthetic demonstration concerns.

``{place}`` becomes a neighbourhood or district name, ``{spot}`` a kind of place.
"""

from __future__ import annotations

SPOTS = (
    "the park",
    "the high street",
    "the school",
    "the shops",
    "the station",
    "the play area",
    "the car park",
    "the recreation ground",
    "the river path",
    "the community centre",
)

TEMPLATES: dict[str, tuple[str, ...]] = {
    "anti_social_behaviour": (
        "Groups of youths hanging around {spot} in {place} and intimidating people",
        "Teenagers on off-road bikes tearing round {spot} in {place}",
        "Constant anti-social behaviour near {spot}, residents feel unsafe",
    ),
    "speeding": (
        "Cars speeding through {place} well over the limit, especially at night",
        "Please set up speed checks on the road past {spot} in {place}",
        "Boy racers using the road by {spot} as a race track",
    ),
    "parking": (
        "Parents parking on the pavement outside {spot} in {place}",
        "Vans parked across driveways near {spot} every day",
        "Obstructive parking by {spot} blocks buses and bin lorries",
    ),
    "road_safety": (
        "Lorries using the narrow lanes through {place} and mounting the verge",
        "Drivers on their phones at the junction by {spot}",
        "Dangerous overtaking on the road into {place}",
    ),
    "burglary": (
        "Several sheds and garages broken into in {place} this month",
        "A house near {spot} was burgled while the family were out",
        "Break-ins after dark in {place}, people are worried in the evenings",
    ),
    "drugs": (
        "Drug dealing openly near {spot} in {place}",
        "Strong smell of cannabis around {spot} most evenings",
        "Needles and nitrous oxide canisters left at {spot} in {place}",
    ),
    "alcohol_rowdiness": (
        "Drunken groups shouting and fighting after the pubs shut in {place}",
        "Street drinking and rowdiness at {spot} on warm evenings",
        "Noise and disorder from people leaving bars late in {place}",
    ),
    "litter_fly_tipping": (
        "Rubbish dumped in the lane behind {spot} in {place}",
        "Fly-tipping on the verges outside {place} again",
        "Litter and dog fouling all over {spot}",
    ),
    "vehicle_crime": (
        "Catalytic converters stolen from cars parked in {place}",
        "Cars broken into overnight near {spot}",
        "Number plates stolen from vehicles in {place}",
    ),
    "cycle_theft": (
        "Bikes stolen from the racks at {spot} in {place}",
        "My e-bike was taken from outside {spot}",
        "Cycle thefts at {spot} every week",
    ),
    "violence": (
        "Fights breaking out near {spot} in {place} at weekends",
        "People being mugged on the path by {spot}",
        "Worried about knife crime among young people in {place}",
    ),
    "domestic_abuse": (
        "More support needed for people living with domestic abuse in {place}",
        "Concerned about a neighbour who seems to be controlled by their partner",
        "Domestic abuse services are hard to reach from {place}",
    ),
    "hate_crime": (
        "Racist abuse shouted at families near {spot} in {place}",
        "Graffiti targeting a place of worship in {place}",
        "Disabled residents harassed near {spot}",
    ),
    "rural_crime": (
        "Hare coursing on farmland around {place} every weekend",
        "Diesel and tools stolen from farms near {place}",
        "Farm machinery taken from yards outside {place}",
    ),
    "business_crime": (
        "Shoplifting at the shops in {place} is out of control",
        "Shop staff abused and threatened in {place}",
        "Businesses near {spot} are being targeted by thieves",
    ),
    "fraud_scams": (
        "Older residents in {place} targeted by doorstep scammers",
        "Rogue traders going door to door in {place}",
        "Phone scams pretending to be the bank are hitting people in {place}",
    ),
    "criminal_damage": (
        "Vandalism and graffiti at {spot} in {place}",
        "Bus shelter windows smashed near {spot}",
        "Cars keyed and fences damaged in {place}",
    ),
    "visible_policing": (
        "We never see police officers patrolling in {place}",
        "Calling 101 takes too long, nobody answers",
        "Would like more visible policing around {spot}",
    ),
    "exploitation": (
        "Worried young people in {place} are being drawn into county lines",
        "A flat near {spot} seems to be used by dealers exploiting a vulnerable tenant",
        "Concerned about exploitation of children around {spot}",
    ),
    "noise": (
        "Loud music from a house in {place} until the early hours",
        "Noisy cars with modified exhausts around {spot} at night",
        "Dogs barking all day near {spot}",
    ),
    "no_concern": (
        "Nothing really, {place} is a quiet place to live",
        "No concerns, the area feels safe",
        "I have no issue to raise at the moment",
    ),
    "other": (
        "Potholes on the roads around {place} need fixing",
        "Street lights out near {spot} for weeks",
        "Not enough for young people to do in {place}",
    ),
}
