"""Phrase rules: unmistakable wording that adds evidence for a theme.

A spaCy PhraseMatcher finds them. Matches become extra feature columns (one per theme,
counting hits) that sit beside the TF-IDF features, so the linear model weighs them against
everything else in the text: they add to a theme's score, they never decide it alone.
Patterns are matched on lemmas of the normalised (lower-cased, de-hyphenated) text, so
"catalytic converters" and "fly-tipping" match "catalytic converter" and "fly tipping".
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

PHRASES: dict[str, tuple[str, ...]] = {
    "anti_social_behaviour": (
        "anti social behaviour",
        "anti social",
        "antisocial behaviour",
        "asb",
        "youths congregating",
        "gangs of youths",
        "groups of youths",
        "nuisance neighbour",
        "off road bikes",
        "aggressive begging",
    ),
    "speeding": (
        "speeding",
        "speed watch",
        "speedwatch",
        "community speedwatch",
        "speed camera",
        "speed check",
        "speed limit",
        "boy racers",
        "racing up and down",
        "too fast",
        "mph",
    ),
    "parking": (
        "parked on the pavement",
        "pavement parking",
        "double parked",
        "double parking",
        "parking on the pavement",
        "blocking my driveway",
        "blocked driveway",
        "parking on double yellow",
        "double yellow lines",
        "dropped kerb",
        "parking",
        "parked car",
        "parked cars",
        "disabled bay",
        "school run parking",
    ),
    "road_safety": (
        "drink driving",
        "drug driving",
        "dangerous driving",
        "careless driving",
        "using their phone while driving",
        "mobile phone while driving",
        "uninsured",
        "no insurance",
        "hgvs",
        "lorries through the village",
        "red light",
        "dangerous junction",
    ),
    "burglary": (
        "burglary",
        "burglaries",
        "burgled",
        "break in",
        "broke into my shed",
        "broken into",
        "shed break in",
        "burglar",
    ),
    "drugs": (
        "drug dealing",
        "drug dealer",
        "drug dealers",
        "dealing drugs",
        "cannabis",
        "smell of weed",
        "weed",
        "skunk",
        "nitrous oxide",
        "laughing gas",
        "nos canisters",
        "nitrous canisters",
        "needles",
        "syringes",
        "crack cocaine",
        "crack den",
        "smoking crack",
        "heroin",
        "cocaine",
        "drugs",
        "cuckooing",
    ),
    "alcohol_rowdiness": (
        "street drinking",
        "drunk",
        "drunken",
        "drinking in the park",
        "pub closing",
        "rowdy",
        "alcohol",
        "cans of beer",
        "drinkers",
    ),
    "litter_fly_tipping": (
        "fly tipping",
        "fly tip",
        "fly tipped",
        "flytipping",
        "dumped rubbish",
        "litter",
        "rubbish",
        "dog fouling",
        "dog poo",
        "dog mess",
        "dumped mattress",
        "black bags",
        "bin bags",
        "dumped",
        "mattress",
        "sofa",
        "fridge",
        "armchair",
        "bags of rubbish",
        "black sacks",
    ),
    "vehicle_crime": (
        "catalytic converter",
        "catalytic converters",
        "number plates stolen",
        "number plate",
        "car stolen",
        "stolen car",
        "van broken into",
        "car broken into",
        "theft from vehicle",
        "keyless",
        "tools stolen from van",
    ),
    "cycle_theft": (
        "bike stolen",
        "bike theft",
        "bikes stolen",
        "bicycle stolen",
        "cycle theft",
        "stolen bike",
        "stolen bikes",
        "ebike stolen",
        "bike locks",
    ),
    "violence": (
        "stabbing",
        "stabbed",
        "knife crime",
        "knives",
        "assault",
        "assaulted",
        "mugged",
        "mugging",
        "robbery",
        "punched",
        "fight",
        "fights",
        "beaten up",
    ),
    "domestic_abuse": (
        "domestic abuse",
        "domestic violence",
        "coercive control",
        "my partner",
        "my ex partner",
        "my ex",
        "abusive partner",
        "stalking",
    ),
    "hate_crime": (
        "hate crime",
        "racist",
        "racially",
        "racial abuse",
        "homophobic",
        "transphobic",
        "islamophobic",
        "antisemitic",
        "because of my religion",
        "disability hate",
    ),
    "rural_crime": (
        "hare coursing",
        "hare coursers",
        "poaching",
        "poachers",
        "farm machinery",
        "livestock worrying",
        "sheep worrying",
        "red diesel",
        "diesel theft",
        "gps units",
        "farm",
        "farmers",
        "tractor",
        "quad bike stolen",
        "lamping",
    ),
    "business_crime": (
        "shoplifting",
        "shoplifters",
        "shop lifting",
        "shop staff",
        "shop workers",
        "shopkeepers",
        "stealing from shops",
        "co op staff",
    ),
    "fraud_scams": (
        "scam",
        "scams",
        "scammers",
        "fraud",
        "rogue traders",
        "doorstep",
        "cold callers",
        "phishing",
        "online fraud",
        "bank details",
        "courier fraud",
    ),
    "criminal_damage": (
        "graffiti",
        "vandalism",
        "vandalised",
        "vandals",
        "tagging",
        "smashed windows",
        "arson",
        "set fire",
        "keyed",
        "tyres slashed",
        "criminal damage",
    ),
    "visible_policing": (
        "more police",
        "police presence",
        "more patrols",
        "bobbies on the beat",
        "never see police",
        "never see a police",
        "101",
        "response time",
        "pcso",
        "pcsos",
        "police station",
        "visible policing",
        "police on foot",
    ),
    "exploitation": (
        "county lines",
        "modern slavery",
        "human trafficking",
        "trafficking",
        "child sexual exploitation",
        "grooming",
        "exploitation",
        "organised crime",
        "cse",
        "exploited",
    ),
    "noise": (
        "loud music",
        "noise",
        "noisy",
        "barking dog",
        "barking dogs",
        "parties",
        "loud exhausts",
        "music all night",
        "revving",
    ),
    "no_concern": (
        "no concerns",
        "nothing really",
        "no issues",
        "quiet area",
        "very safe",
        "can't think of anything",
        "no problems",
        "nothing to report",
        "n a",
    ),
}


def _theft_of(things: tuple[str, ...]) -> tuple[str, ...]:
    """ "my bike was nicked", "vans have been stolen": every thing x auxiliary x verb. The
    phrases are matched on lemmas, so plurals and tenses need no listing of their own."""
    auxiliaries = ("", "was ", "has been ", "got ", "been ", "was being ")
    verbs = ("stolen", "nicked", "pinched", "taken")
    return tuple(
        f"{thing} {aux}{verb}" for thing in things for aux in auxiliaries for verb in verbs
    )


def _break_in(places: tuple[str, ...]) -> tuple[str, ...]:
    owners = ("my ", "our ", "the ", "a ", "his ", "her ", "their ", "")
    verbs = ("broke into ", "broken into ", "breaking into ", "break into ")
    return tuple(f"{verb}{owner}{place}" for verb in verbs for owner in owners for place in places)


GENERATED: dict[str, tuple[str, ...]] = {
    "cycle_theft": _theft_of(("bike", "bicycle", "ebike", "push bike", "e bike")),
    "vehicle_crime": _theft_of(("car", "van", "vehicle", "motorbike", "moped", "tools")),
    "burglary": _break_in(("house", "home", "shed", "garage", "property", "flat", "outbuilding")),
}


class PhraseRules:
    """Counts rule hits per theme in a Doc that went through the lemma pipeline."""

    def __init__(self, nlp: Language, themes: Sequence[str]) -> None:
        self.themes = tuple(themes)
        self._index = {theme: i for i, theme in enumerate(self.themes)}
        self._phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        for theme in self.themes:
            phrases = PHRASES.get(theme, ()) + GENERATED.get(theme, ())
            if phrases:
                self._phrases.add(theme, list(nlp.pipe(phrases)))
        self._strings = nlp.vocab.strings

    def hits(self, doc: Doc) -> dict[int, int]:
        """Column index -> number of matches in ``doc``."""
        counts: dict[int, int] = {}
        for match_id, _start, _end in self._phrases(doc):
            column = self._index[self._strings[match_id]]
            counts[column] = counts.get(column, 0) + 1
        return counts
