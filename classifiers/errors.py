"""Domain exceptions of the classifier package, each with a message a person can act on."""

from __future__ import annotations


class ClassifierError(Exception):
    """Base class for every error the classifier package raises on purpose."""


class ModelUnavailable(ClassifierError):
    """No usable model: missing, unreadable, untrusted or built with other library versions."""


class UntrustedArtefact(ModelUnavailable):
    """The artefact lies outside the model directory, is writable by others, or holds
    types that are not on the allowlist."""


class IncompatibleArtefact(ModelUnavailable):
    """The artefact was built with a different major.minor version of a library."""


class CorpusError(ClassifierError):
    """A labelled CSV file is malformed: missing column, bad encoding, unknown theme, empty."""


class ConfigError(ClassifierError):
    """config/classifier.yaml or config/themes.yaml is missing or malformed."""
