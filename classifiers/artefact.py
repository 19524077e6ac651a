"""Versioned model artefacts: ``<model_dir>/<version>/model.skops`` + ``metadata.json``, and a
``<model_dir>/current`` file naming the version in use.

Loading is defensive. It refuses an artefact that resolves outside the model directory, a
file or folder that others can write to, one built with another major.minor of
scikit-learn, skops or spaCy, and any type in the skops file that is not on the explicit
allowlist below. Every refusal is a :class:`ModelUnavailable` with a readable reason.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from dataclasses import dataclass
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

import skops.io as sio

from classifiers.errors import IncompatibleArtefact, ModelUnavailable, UntrustedArtefact
from classifiers.model import ModelOptions, ThemeModel

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
CURRENT_FILE = "current"
CHECKED_LIBRARIES = ("scikit-learn", "skops", "spacy")
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

# Types skops does not trust by default but which our artefacts legitimately hold.
ALLOWED_TYPES = frozenset(
    {
        "builtins.float",
        "numpy.float64",
        "numpy.int64",
        "numpy.dtype",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.svm._classes.LinearSVC",
    }
)


@dataclass(frozen=True)
class Artefact:
    model: ThemeModel
    metadata: dict[str, Any]
    path: Path

    @property
    def version(self) -> str:
        return str(self.metadata["version"])


def library_versions() -> dict[str, str]:
    versions = {name: dist_version(name) for name in (*CHECKED_LIBRARIES, "numpy", "scipy")}
    versions["lingua-language-detector"] = dist_version("lingua-language-detector")
    versions["python"] = ".".join(str(part) for part in sys.version_info[:3])
    return versions


def _major_minor(text: str) -> str:
    return ".".join(text.split(".")[:2])


def save_artefact(model: ThemeModel, metadata: dict[str, Any], model_dir: Path) -> Path:
    """Write the artefact under ``model_dir/<version>/`` and point ``current`` at it."""
    version = str(metadata["version"])
    if not _VERSION_NAME.match(version):
        raise ValueError(f"bad version name {version!r}")
    target = model_dir / version
    target.mkdir(parents=True, exist_ok=True)
    for folder in (model_dir, target):
        folder.chmod(folder.stat().st_mode & ~0o022)
    sio.dump(model.parts, target / MODEL_FILE)
    (target / METADATA_FILE).write_text(
        json.dumps(metadata, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    pointer = model_dir / f".{CURRENT_FILE}.tmp"
    pointer.write_text(version + "\n", encoding="utf-8")
    for path in (target / MODEL_FILE, target / METADATA_FILE, pointer):
        path.chmod(0o644)
    os.replace(pointer, model_dir / CURRENT_FILE)
    return target


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _check_trusted(path: Path, root: Path) -> None:
    resolved = path.resolve()
    if not _inside(resolved, root):
        raise UntrustedArtefact(
            f"refusing {path}: it resolves to {resolved}, outside the model directory {root}"
        )
    info = resolved.stat()
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UntrustedArtefact(
            f"refusing {path}: it is writable by other users (mode {stat.filemode(info.st_mode)});"
            f" run chmod go-w on it"
        )
    if info.st_uid not in (os.getuid(), 0):
        raise UntrustedArtefact(f"refusing {path}: it belongs to another user (uid {info.st_uid})")


def pointed_version(model_dir: Path) -> str | None:
    """The version name ``model_dir/current`` holds, unchecked (loading checks it), or None
    when there is no pointer to read. Cheap enough to call often: one small file read."""
    try:
        return (model_dir / CURRENT_FILE).read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def resolve_version_dir(model_dir: Path, trusted_root: Path) -> Path:
    """The version folder that ``model_dir`` designates: its ``current`` pointer's target, or
    ``model_dir`` itself when it is a version folder."""
    root = trusted_root.resolve()
    if not model_dir.exists():
        raise ModelUnavailable(f"no model at {model_dir}: train one with `engage train`")
    _check_trusted(model_dir, root)
    pointer = model_dir / CURRENT_FILE
    if pointer.exists():
        _check_trusted(pointer, root)
        name = pointer.read_text(encoding="utf-8").strip()
        if not _VERSION_NAME.match(name):
            raise UntrustedArtefact(f"refusing {pointer}: {name!r} is not a version name")
        version_dir = model_dir / name
    elif (model_dir / METADATA_FILE).exists():
        version_dir = model_dir
    else:
        raise ModelUnavailable(f"no model at {model_dir}: no {CURRENT_FILE} file and no artefact")
    if not (version_dir / MODEL_FILE).exists() or not (version_dir / METADATA_FILE).exists():
        raise ModelUnavailable(f"incomplete artefact at {version_dir}")
    for path in (version_dir, version_dir / MODEL_FILE, version_dir / METADATA_FILE):
        _check_trusted(path, root)
    return version_dir


def load_artefact(model_dir: Path, trusted_root: Path | None = None) -> Artefact:
    """Load the artefact ``model_dir`` designates, refusing anything outside ``trusted_root``
    (by default ``model_dir`` itself)."""
    root = (trusted_root or model_dir).resolve()
    version_dir = resolve_version_dir(model_dir, root)
    try:
        metadata = json.loads((version_dir / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"unreadable metadata in {version_dir}: {exc}") from exc
    check_versions(metadata, version_dir)
    model_path = version_dir / MODEL_FILE
    try:
        untrusted = sio.get_untrusted_types(file=model_path)
    except Exception as exc:  # skops raises many kinds on a corrupt file
        raise ModelUnavailable(f"unreadable model file {model_path}: {exc}") from exc
    refused = sorted(set(untrusted) - ALLOWED_TYPES)
    if refused:
        raise UntrustedArtefact(
            f"refusing {model_path}: it holds types outside the allowlist: {', '.join(refused)}"
        )
    try:
        parts = sio.load(model_path, trusted=list(untrusted))
    except Exception as exc:
        raise ModelUnavailable(f"cannot load {model_path}: {exc}") from exc
    if not isinstance(parts, dict) or "classifier" not in parts or "words" not in parts:
        raise ModelUnavailable(f"{model_path} is not an Engage theme model")
    options = ModelOptions.from_json(metadata["options"])
    model = ThemeModel(parts, options, rule_columns=len(metadata["rule_themes"]))
    return Artefact(model, metadata, version_dir)


def check_versions(metadata: dict[str, Any], where: Path) -> None:
    built = metadata.get("library_versions", {})
    running = library_versions()
    for name in CHECKED_LIBRARIES:
        if _major_minor(str(built.get(name, "?"))) != _major_minor(running[name]):
            raise IncompatibleArtefact(
                f"model at {where} was built with {name} {built.get(name, 'unknown')}, but"
                f" {running[name]} is installed; retrain it with `engage train`"
            )
