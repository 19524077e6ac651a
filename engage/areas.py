"""The districts and neighbourhoods residents can name, read from ``config/areas.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

_OUTWARD_CODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)(?:\s*[0-9][A-Z]{2})?\b", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class District:
    id: str
    name: str
    outward_codes: tuple[str, ...]
    neighbourhoods: tuple[str, ...]


@dataclass(frozen=True)
class Areas:
    districts: tuple[District, ...]

    def district(self, district_id: str) -> District | None:
        return next((d for d in self.districts if d.id == district_id), None)

    def choices(self) -> list[tuple[str, str]]:
        return [(d.id, d.name) for d in self.districts]

    def suggest_district(self, place: str) -> District | None:
        """The one district a place or postcode points to, or None when it is not clear.

        A known neighbourhood name wins; otherwise an outward code (``PE13``, ``CB4 1AB``)
        decides only when exactly one district lists it.
        """
        neighbourhood_matches = {d for d in self.districts if _find(d.neighbourhoods, place)}
        if len(neighbourhood_matches) == 1:
            return neighbourhood_matches.pop()
        for match in _OUTWARD_CODE.finditer(place):
            code = match.group(1).upper()
            owners = [d for d in self.districts if code in d.outward_codes]
            if len(owners) == 1:
                return owners[0]
        return None

    def match_neighbourhood(self, district_id: str, place: str) -> str | None:
        """The canonical name of a neighbourhood of the district named in ``place``."""
        district = self.district(district_id)
        return _find(district.neighbourhoods, place) if district else None


def _normalise(text: str) -> str:
    return _NOT_WORD.sub(" ", text.casefold().replace("'", "").replace("\u2019", "")).strip()


def _find(neighbourhoods: tuple[str, ...], place: str) -> str | None:
    wanted = _normalise(place)
    if not wanted:
        return None
    for name in neighbourhoods:
        if _normalise(name) == wanted:
            return name
    return None


@cache
def load_areas(path: Path) -> Areas:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Areas(
        districts=tuple(
            District(
                id=entry["id"],
                name=entry["name"],
                outward_codes=tuple(code.upper() for code in entry.get("outward_codes", [])),
                neighbourhoods=tuple(entry.get("neighbourhoods", [])),
            )
            for entry in data["districts"]
        )
    )


@dataclass(frozen=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True)
class IntakeOptions:
    age_bands: tuple[Choice, ...]
    dealing_with_concerns: tuple[Choice, ...]
    consent_wording_version: str


@cache
def load_intake_options(path: Path) -> IntakeOptions:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return IntakeOptions(
        age_bands=tuple(Choice(str(c["id"]), str(c["label"])) for c in data["age_bands"]),
        dealing_with_concerns=tuple(
            Choice(str(c["id"]), str(c["label"])) for c in data["dealing_with_concerns"]
        ),
        consent_wording_version=str(data["consent_wording_version"]),
    )
