"""The shape of the synthetic demonstration history: how often each theme, district,
channel and hour comes up, and which themes are seasonal (see ``jobs.demo_data``)."""

from __future__ import annotations

THEME_SHARES = {
    "anti_social_behaviour": 14,
    "speeding": 12,
    "parking": 7,
    "road_safety": 5,
    "burglary": 6,
    "drugs": 8,
    "alcohol_rowdiness": 4,
    "litter_fly_tipping": 5,
    "vehicle_crime": 5,
    "cycle_theft": 3,
    "violence": 4,
    "domestic_abuse": 1,
    "hate_crime": 1,
    "rural_crime": 3,
    "business_crime": 3,
    "fraud_scams": 3,
    "criminal_damage": 4,
    "visible_policing": 6,
    "exploitation": 1,
    "noise": 2,
    "no_concern": 1,
    "other": 3,
}
# Month of the seasonal peak and its strength (+/- share of the base rate).
SEASONS = {
    "anti_social_behaviour": (7, 0.5),
    "alcohol_rowdiness": (7, 0.5),
    "noise": (7, 0.4),
    "speeding": (6, 0.15),
    "burglary": (12, 0.5),
    "rural_crime": (12, 0.6),
    "cycle_theft": (10, 0.4),
    "vehicle_crime": (12, 0.2),
}
DISTRICT_WEIGHTS = {
    "cambridge_city": 17,
    "east_cambridgeshire": 10,
    "fenland": 12,
    "huntingdonshire": 21,
    "peterborough": 24,
    "south_cambridgeshire": 19,
}
URBAN = frozenset({"cambridge_city", "peterborough"})
CHANNEL_WEIGHTS = {
    "web": 62,
    "api": 5,
    "surgery": 8,
    "street_briefing": 10,
    "panel_meeting": 6,
    "community_event": 7,
    "other": 2,
}
DEALING = ("agree", "disagree", "dont_know")
AGE_BANDS = ("16_24", "25_34", "35_44", "45_54", "55_64", "65_74", "75_plus", "prefer_not_to_say")
URGENT_THEMES = frozenset({"violence", "domestic_abuse", "hate_crime", "exploitation"})
# Hours of the day (local) people tell us things, evenings busiest.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 10, 9, 9, 9, 9, 10, 12, 13, 12, 9, 5, 2)
