"""What an analyst sends when they act on a concern, and the audit log's filters.

Choices (themes, suggested duplicates, users) are passed in by the view; the forms never
read the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
)
from wtforms import Field, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from forms.concern_search import DateInputField, choice_field, with_any
from forms.text_rules import has_forbidden_characters, visible_length

OUTCOME_NOTE_MAX = 2000
PHRASE_MIN, PHRASE_MAX, PHRASES_MAX = 2, 200, 20


def _choices(pairs: Sequence[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class RethemeForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    theme = SelectField(
        "Primary theme",
        description="The issue the resident most wants tackled.",
        widget=GovSelect(),
        invalid_choice_message="Choose a primary theme from the list",
    )
    secondary = SelectMultipleField(
        "Secondary themes (optional)",
        description="Other issues the concern also raises.",
        widget=GovCheckboxesInput(),
        invalid_choice_message="Choose secondary themes from the list",
    )

    def __init__(self, *args: Any, themes: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.theme.choices = [SelectChoice("", "Choose a theme"), *_choices(themes)]
        self.secondary.choices = _choices(themes)

    def validate_theme(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Choose a primary theme")

    def validate_secondary(self, field: Field) -> None:
        if self.theme.data and self.theme.data in (field.data or []):
            raise ValidationError("A secondary theme cannot also be the primary theme")


class HandleForm(FlaskForm):  # type: ignore[misc]
    outcome_note = TextAreaField(
        "Outcome note",
        description="What was done, and who was told. Needed for urgent concerns.",
        widget=GovCharacterCount(),
    )

    def __init__(self, *args: Any, note_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.note_required = note_required
        if not note_required:
            self.outcome_note.label.text = "Outcome note (optional)"

    def validate_outcome_note(self, field: Field) -> None:
        value = (field.data or "").strip()
        field.data = value
        if not value:
            if self.note_required:
                raise ValidationError(
                    "Enter an outcome note: an urgent concern needs one before it is handled"
                )
            return
        if has_forbidden_characters(value):
            raise ValidationError("The outcome note contains hidden characters: retype it")
        if visible_length(value) > OUTCOME_NOTE_MAX:
            raise ValidationError(
                f"The outcome note must be {OUTCOME_NOTE_MAX:,} characters or fewer"
            )


class RedactForm(FlaskForm):  # type: ignore[misc]
    phrases = TextAreaField(
        "Words or phrases to hide",
        description=(
            "One per line, as they appear in the redacted text (not case sensitive). "
            "Every place they appear is replaced with [redacted]."
        ),
        widget=GovTextArea(),
    )

    def validate_phrases(self, field: Field) -> None:
        phrases = self.phrase_list()
        if not phrases:
            raise ValidationError("Enter the words or phrases to hide")
        if len(phrases) > PHRASES_MAX:
            raise ValidationError(f"Enter {PHRASES_MAX} phrases or fewer at a time")
        if has_forbidden_characters(field.data or ""):
            raise ValidationError("The phrases contain hidden characters: retype them")
        for phrase in phrases:
            if len(phrase) < PHRASE_MIN:
                raise ValidationError(f"Each phrase must be {PHRASE_MIN} characters or more")
            if len(phrase) > PHRASE_MAX:
                raise ValidationError(f"Each phrase must be {PHRASE_MAX} characters or fewer")

    def phrase_list(self) -> list[str]:
        lines = (line.strip() for line in (self.phrases.data or "").splitlines())
        return list(dict.fromkeys(line for line in lines if line))


class MergeForm(FlaskForm):  # type: ignore[misc]
    duplicate_of = RadioField(
        "Which concern does this one duplicate?",
        description="This concern is kept but no longer counted; the one you choose is counted.",
        widget=GovRadioInput(),
        invalid_choice_message="Choose the concern this one duplicates",
    )

    def __init__(self, *args: Any, suggestions: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicate_of.choices = _choices(suggestions)

    def validate_duplicate_of(self, field: Field) -> None:
        if not field.data:
            raise ValidationError("Choose the concern this one duplicates")


class UnmergeForm(FlaskForm):  # type: ignore[misc]
    """A button: the CSRF token is all it carries."""


class AuditLogFilterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False

    user = choice_field("Person")
    action = choice_field("Action")
    on_or_after = DateInputField("From", "The from date", description="For example, 27 3 2026")
    on_or_before = DateInputField("To", "The to date", description="For example, 3 4 2026")

    def __init__(
        self,
        *args: Any,
        users: Sequence[tuple[str, str]],
        actions: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user.choices = with_any(users)
        self.action.choices = with_any(actions)

    def validate_on_or_before(self, field: Field) -> None:
        start, end = self.on_or_after.data, field.data
        if start and end and end < start:
            raise ValidationError("The to date must be the same as or after the from date")
