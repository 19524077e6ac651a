"""Fixtures: one small model, trained once per session from a few rows per theme.

The rows below were written for these tests: five short ones per theme, enough for every
theme to be learnable, not a corpus.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from classifiers.corpus import Example
from classifiers.service import ThemeClassifier
from classifiers.settings import ClassifierSettings
from classifiers.training import TrainResult, train

TRAINING_ROWS: dict[str, tuple[str, ...]] = {
    "anti_social_behaviour": (
        "gangs of youths hanging round the shops intimidating people",
        "anti social behaviour on the rec every evening",
        "teenagers harassing neighbours and kicking doors",
        "kids on off road bikes tearing round the park",
        "nuisance neighbours shouting abuse at everyone",
    ),
    "speeding": (
        "speeding through the village",
        "cars doing 60 in a 30 mph zone",
        "boy racers speeding on the bypass at night",
        "please set up community speedwatch on our road",
        "traffic far too fast past the school",
    ),
    "parking": (
        "cars parked on the pavement so prams cannot pass",
        "inconsiderate parking at school drop off",
        "vans blocking my driveway every day",
        "parking on double yellow lines by the junction",
        "people park across dropped kerbs",
    ),
    "road_safety": (
        "drivers on their mobile phones at the wheel",
        "drink driving after the pub shuts",
        "lorries and hgvs using the lane as a rat run",
        "dangerous driving overtaking on blind bends",
        "uninsured drivers and no licence",
    ),
    "burglary": (
        "burglaries on our street",
        "my shed was broken into and tools taken",
        "house burgled while we were away",
        "garage break ins across the estate",
        "burglars trying back doors at night",
    ),
    "drugs": (
        "drug dealing outside the flats",
        "constant smell of cannabis in the stairwell",
        "needles left in the play area",
        "nitrous oxide canisters all over the car park",
        "people dealing drugs from cars",
    ),
    "alcohol_rowdiness": (
        "drunk people shouting when the pubs close",
        "street drinking by the war memorial",
        "rowdy drinkers fighting on a friday night",
        "alcohol fuelled disorder in the town centre",
        "groups drinking cans and getting loud and drunk",
    ),
    "litter_fly_tipping": (
        "fly tipping down the lane",
        "rubbish dumped behind the garages",
        "dog fouling all along the footpath",
        "litter everywhere around the takeaway",
        "mattress and black bags dumped on the verge",
    ),
    "vehicle_crime": (
        "catalytic converter stolen from my car",
        "cars being broken into overnight",
        "number plates stolen off vehicles",
        "my van was stolen from the drive",
        "thieves trying car door handles",
    ),
    "cycle_theft": (
        "my bike was stolen from the station",
        "bicycle theft outside the college",
        "bikes stolen from the rack even when locked",
        "e bike stolen from the shed",
        "cycle theft is rife in town",
    ),
    "violence": (
        "people getting stabbed in the town",
        "knife crime is rising",
        "my son was mugged on the way home",
        "fights and assaults outside the kebab shop",
        "robbery at knifepoint near the underpass",
    ),
    "domestic_abuse": (
        "domestic abuse next door",
        "my ex partner keeps threatening me",
        "coercive control by her husband",
        "my partner hits me when he drinks",
        "my ex is stalking me and turning up at work",
    ),
    "hate_crime": (
        "racist abuse shouted at my family",
        "homophobic attacks on the high street",
        "targeted because of my religion",
        "disability hate crime against my brother",
        "transphobic harassment of my daughter",
    ),
    "rural_crime": (
        "hare coursing in the fens",
        "farm machinery stolen from the yard",
        "diesel stolen from farm tanks",
        "poaching and lamping on our land",
        "dogs worrying the sheep",
    ),
    "business_crime": (
        "shoplifting at the local shop",
        "staff abused by shoplifters in the co op",
        "shops being robbed by the same people",
        "businesses targeted by thieves",
        "shop workers threatened when they challenge thieves",
    ),
    "fraud_scams": (
        "phone scams targeting old people",
        "rogue traders doorstep selling",
        "online fraud and scam emails",
        "cold callers conning pensioners",
        "courier fraud taking bank cards",
    ),
    "criminal_damage": (
        "graffiti on the bus shelter",
        "vandalism in the park",
        "tyres slashed on our street",
        "windows smashed at the community centre",
        "arson of wheelie bins",
    ),
    "visible_policing": (
        "more police on the streets",
        "we never see a police officer",
        "101 takes forever to answer",
        "police did not turn up when called",
        "bring back bobbies on the beat",
    ),
    "exploitation": (
        "county lines gangs using children",
        "modern slavery at the car wash",
        "human trafficking in the area",
        "children being groomed and exploited",
        "organised crime groups running the town",
    ),
    "noise": (
        "loud music from next door until 3am",
        "noisy parties every weekend",
        "dog barking all day",
        "noise from the pub garden",
        "loud exhausts revving at night",
    ),
    "no_concern": (
        "nothing",
        "no concerns it is a quiet area",
        "none really very safe here",
        "cannot think of anything",
        "no problems where I live",
    ),
    "other": (
        "potholes on every road",
        "street lights not working",
        "trees overhanging the footpath",
        "blocked drains flooding the road",
        "not enough for young people to do",
    ),
}

MULTI_THEME_ROWS: tuple[tuple[str, str, str], ...] = (
    ("speeding and drug dealing outside the school", "speeding", "drugs"),
    ("fly tipping and graffiti on the industrial estate", "litter_fly_tipping", "criminal_damage"),
)


def fixture_examples() -> list[Example]:
    examples = [Example(text, theme) for theme, rows in TRAINING_ROWS.items() for text in rows]
    examples += [Example(text, first, (second,)) for text, first, second in MULTI_THEME_ROWS]
    return examples


def write_csv(path: Path, examples: list[Example]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "theme", "secondary_themes"])
        for example in examples:
            writer.writerow([example.text, example.theme, ";".join(example.secondary)])
    return path


@pytest.fixture(scope="session")
def model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def settings(model_root: Path) -> ClassifierSettings:
    return ClassifierSettings.from_yaml(model_dir=model_root, confidence_threshold=0.3)


@pytest.fixture(scope="session")
def trained(model_root: Path, settings: ClassifierSettings) -> TrainResult:
    return train(
        examples=fixture_examples(), out_dir=model_root, seed=7, settings=settings, cv_folds=5
    )


@pytest.fixture(scope="session")
def classifier(trained: TrainResult, settings: ClassifierSettings) -> ThemeClassifier:
    return ThemeClassifier.load(settings.model_dir, settings)


@pytest.fixture
def model_copy(trained: TrainResult, tmp_path: Path) -> Path:
    """A private copy of the trained model directory, free to be damaged by a test."""
    target = tmp_path / "models"
    shutil.copytree(trained.path.parent, target)
    return target


@pytest.fixture
def examples() -> list[Example]:
    return fixture_examples()


@pytest.fixture(name="write_csv")
def write_csv_fixture() -> Callable[[Path, list[Example]], Path]:
    return write_csv


@pytest.fixture
def corpus_dir(tmp_path: Path, examples: list[Example]) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_csv(folder / "rows.csv", examples)
    return folder
