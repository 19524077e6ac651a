"""Classifier settings read from ``config/classifier.yaml`` and theme ids from
``config/themes.yaml``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from classifiers.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_PATH = PROJECT_ROOT / "config" / "classifier.yaml"
THEMES_PATH = PROJECT_ROOT / "config" / "themes.yaml"
PIPELINE_PATH = Path(__file__).resolve().parent / "pipeline"
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class ClassifierSettings:
    """Thresholds and paths. Relative paths are taken from the project root."""

    model_dir: Path = PROJECT_ROOT / "instance" / "models"
    confidence_threshold: float = 0.5
    secondary_threshold: float = 0.3
    max_secondary: int = 2
    rule_weight: float = 0.25
    ner_model: str | None = None
    languages: tuple[str, ...] = ("en",)

    @classmethod
    def from_yaml(cls, path: Path = CONFIG_PATH, **overrides: Any) -> ClassifierSettings:
        """Read settings from ``path``; keyword overrides win over the file."""
        data = _read_yaml(path) if path.exists() else {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ConfigError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {**data, **overrides}
        if "model_dir" in values:
            model_dir = Path(values["model_dir"])
            values["model_dir"] = model_dir if model_dir.is_absolute() else PROJECT_ROOT / model_dir
        if "ner_model" in values:
            values["ner_model"] = values["ner_model"] or None
        if "languages" in values:
            values["languages"] = tuple(str(code) for code in values["languages"])
        for name in ("confidence_threshold", "secondary_threshold", "rule_weight"):
            if name in values:
                values[name] = float(values[name])
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        for name in ("confidence_threshold", "secondary_threshold"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name} must be between 0 and 1, not {value}")
        if "en" not in self.languages:
            raise ConfigError("languages must include en")


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


@lru_cache(maxsize=4)
def theme_ids(path: Path = THEMES_PATH) -> tuple[str, ...]:
    """The fixed theme ids, in the order ``config/themes.yaml`` lists them."""
    data = _read_yaml(path)
    try:
        ids = tuple(str(theme["id"]) for theme in data["themes"])
    except (TypeError, KeyError) as exc:
        raise ConfigError(f"{path}: expected themes: [{{id: ...}}, ...]") from exc
    if not ids:
        raise ConfigError(f"{path}: no themes")
    return ids
