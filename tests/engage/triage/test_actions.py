"""What an analyst does on a concern's page, each change audited in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engage.extensions import db
from engage.models import ThemeLabel, User
from tests.engage.triage.conftest import (
    MakeConcern,
    MakeUser,
    as_role,
    audit_events,
    fetch,
    post_from,
)
from tests.pages import Page


def page_of(reference: str) -> str:
    return f"/staff/concerns/{reference}"


def action(reference: str, name: str) -> str:
    return f"/staff/concerns/{reference}/{name}"


def updates(app: Flask) -> list[dict[str, object]]:
    return [e.detail for e in audit_events(app) if e.action == "update"]


def test_the_page_shows_what_the_analyst_needs_and_audits_the_view(
    app: Flask, as_analyst: FlaskClient, analyst: User, make_concern: MakeConcern
) -> None:
    concern = make_concern(
        text="John Smith at 4 Elm Road deals drugs",
        text_redacted="[redacted] at [redacted] deals drugs",
        theme="drugs",
        theme_confidence=0.62,
        secondary=["anti_social_behaviour"],
        channel="surgery",
        contact={"name": "A Resident", "email": "resident@example.org", "phone": None},
    )

    page = Page.of(as_analyst.get(page_of(concern.reference)).data)

    assert page.heading == f"Concern {concern.reference}"
    assert page.soup.select_one("#original-text").get_text() == concern.text
    assert page.soup.select_one("#redacted-text").get_text() == concern.text_redacted
    assert "Primary: Drugs (62%, model)" in page.text()
    assert "Secondary: Anti-social behaviour" in page.text()
    assert "test-model-1" in page.text()
    assert "Surgery" in page.text()
    assert "resident@example.org" not in page.text()
    (view,) = audit_events(app)
    assert (view.action, view.user_id, view.object_id) == (
        "view_personal_data",
        analyst.id,
        str(concern.id),
    )


def test_contact_details_are_shown_on_request_and_that_view_is_audited(
    app: Flask, as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    concern = make_concern(contact={"name": "A Resident", "email": "r@example.org", "phone": None})

    page = Page.of(as_analyst.get(f"/staff/concerns/{concern.reference}/contact-details").data)

    assert "r@example.org" in page.text()
    (event,) = audit_events(app)
    assert (event.action, event.object_type) == ("view_personal_data", "concern_contact")


@pytest.mark.parametrize("role", ["panel", "outreach", "commissioner_office"])
def test_only_analysts_and_admins_open_a_concern_or_its_contact_details(
    app: Flask, client: FlaskClient, make_user: MakeUser, make_concern: MakeConcern, role: str
) -> None:
    concern = make_concern(contact={"name": "A Resident", "email": "r@example.org", "phone": None})
    as_role(client, make_user, role)

    assert client.get(page_of(concern.reference)).status_code == 403
    assert client.get(f"/staff/concerns/{concern.reference}/contact-details").status_code == 403
    assert client.post(action(concern.reference, "handled")).status_code in (400, 403)
    assert audit_events(app) == []


def test_retheming_stores_a_label_with_the_models_guess_and_is_audited(
    app: Flask, as_analyst: FlaskClient, analyst: User, make_concern: MakeConcern
) -> None:
    concern = make_concern(theme="parking", theme_confidence=0.41, needs_review=True)

    response = post_from(
        as_analyst,
        page_of(concern.reference),
        action(concern.reference, "themes"),
        {"theme": "speeding", "secondary": ["road_safety", "noise"]},
    )

    assert response.status_code == 303
    stored = fetch(app, concern.id)
    assert stored.theme == "speeding"
    assert stored.needs_review is False
    assert [(t.theme, t.rank) for t in stored.themes] == [
        ("speeding", 0),
        ("road_safety", 1),
        ("noise", 2),
    ]
    with app.app_context():
        (label,) = db.session.scalars(select(ThemeLabel)).all()
        assert (label.previous_theme, label.previous_confidence) == ("parking", 0.41)
        assert label.previous_model_version == "test-model-1"
        assert label.labelled_by == analyst.id
    assert updates(app)[-1]["change"] == "theme"
    page = Page.of(as_analyst.get(response.headers["Location"]).data)
    assert "Themes saved" in page.text()
    assert "Parking (41%), model test-model-1" in page.soup.select_one("#corrections").get_text()


def test_retheming_needs_a_primary_theme_that_is_not_also_secondary(
    app: Flask, as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    concern = make_concern()
    url = action(concern.reference, "themes")

    missing = post_from(as_analyst, page_of(concern.reference), url, {"theme": ""})
    twice = post_from(
        as_analyst, page_of(concern.reference), url, {"theme": "noise", "secondary": ["noise"]}
    )
    unknown = post_from(as_analyst, page_of(concern.reference), url, {"theme": "aliens"})

    assert missing.status_code == 400
    assert Page.of(missing.data).error_summary() == [("Choose a primary theme", "#theme")]
    assert Page.of(missing.data).title.startswith("Error: ")
    assert Page.of(twice.data).error_summary()[0][0] == (
        "A secondary theme cannot also be the primary theme"
    )
    assert Page.of(unknown.data).error_summary()[0][0] == "Choose a primary theme from the list"
    assert fetch(app, concern.id).theme == "speeding"
    assert updates(app) == []


def test_marking_handled_records_who_and_when(
    app: Flask, as_analyst: FlaskClient, analyst: User, make_concern: MakeConcern
) -> None:
    concern = make_concern()

    response = post_from(
        as_analyst, page_of(concern.reference), action(concern.reference, "handled"), {}
    )

    assert response.status_code == 303
    stored = fetch(app, concern.id)
    assert stored.status == "handled"
    assert stored.handled_by == analyst.id
    assert stored.handled_at is not None
    assert abs((stored.handled_at - datetime.now(UTC)).total_seconds()) < 3600
    assert updates(app) == [
        {"change": "handled", "from_status": "new", "urgent": False, "outcome_note": False}
    ]


def test_an_urgent_concern_needs_an_outcome_note_before_it_is_handled(
    app: Flask, as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    concern = make_concern(urgency="urgent")
    url = action(concern.reference, "handled")

    refused = post_from(as_analyst, page_of(concern.reference), url, {"outcome_note": "   "})

    assert refused.status_code == 400
    assert Page.of(refused.data).error_summary() == [
        (
            "Enter an outcome note: an urgent concern needs one before it is handled",
            "#outcome_note",
        )
    ]
    assert fetch(app, concern.id).status == "new"

    done = post_from(
        as_analyst, page_of(concern.reference), url, {"outcome_note": "Passed to MASH, 101 ref 44"}
    )

    assert done.status_code == 303
    stored = fetch(app, concern.id)
    assert (stored.status, stored.outcome_note) == ("handled", "Passed to MASH, 101 ref 44")
    assert updates(app)[-1]["outcome_note"] is True
    assert "MASH" not in str(updates(app))


def test_the_service_refuses_an_urgent_concern_without_a_note_whatever_the_form_says(
    app: Flask, analyst: User, make_concern: MakeConcern
) -> None:
    from engage.services.triage import OutcomeNoteRequired, mark_handled

    concern = make_concern(urgency="urgent")
    with app.app_context(), pytest.raises(OutcomeNoteRequired):
        mark_handled(
            db.session(),
            concern.id,
            outcome_note=None,
            user_id=analyst.id,
            now=datetime.now(UTC),
        )
    assert fetch(app, concern.id).status == "new"
    assert updates(app) == []


def test_extending_the_redaction_hides_every_occurrence_and_never_touches_the_original(
    app: Flask, as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    concern = make_concern(
        text="Gary at number 12 deals. Gary's van, reg AB12 CDE, is always there.",
        text_redacted="Gary at number 12 deals. Gary's van, reg [redacted], is always there.",
    )

    response = post_from(
        as_analyst,
        page_of(concern.reference),
        action(concern.reference, "redaction"),
        {"phrases": "gary\nnumber 12\n"},
    )

    assert response.status_code == 303
    stored = fetch(app, concern.id)
    assert stored.text_redacted == (
        "[redacted] at [redacted] deals. [redacted]'s van, reg [redacted], is always there."
    )
    assert stored.text == concern.text
    assert updates(app) == [{"change": "redaction", "phrases": 2, "replacements": 3}]
    assert "Gary" not in str([e.detail for e in audit_events(app)])


def test_a_phrase_that_is_not_in_the_redacted_text_is_refused_and_nothing_changes(
    app: Flask, as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    concern = make_concern(
        text="Gary deals by the [redacted] shop", text_redacted="Gary deals by the [redacted] shop"
    )

    response = post_from(
        as_analyst,
        page_of(concern.reference),
        action(concern.reference, "redaction"),
        {"phrases": "Gary\nKevin\nredacted"},
    )

    assert response.status_code == 400
    (message, link) = Page.of(response.data).error_summary()[0]
    assert "‘Kevin’" in message  # noqa: RUF001
    assert "‘redacted’" in message  # noqa: RUF001
    assert link == "#phrases"
    assert Page.of(response.data).value("phrases") == "Gary\nKevin\nredacted"
    assert fetch(app, concern.id).text_redacted == "Gary deals by the [redacted] shop"
    assert updates(app) == []


def test_a_duplicate_is_merged_from_the_suggestions_kept_and_can_be_unmerged(
    app: Flask, as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    first = make_concern(text="Speeding on Elm Road every morning near the school")
    second = make_concern(text="SPEEDING on Elm Road every morning near the school!")
    page = Page.of(as_analyst.get(page_of(second.reference)).data)
    assert [i["value"] for i in page.soup.select("input[name=duplicate_of]")] == [first.reference]

    merged = post_from(
        as_analyst,
        page_of(second.reference),
        action(second.reference, "merge"),
        {"duplicate_of": first.reference},
    )

    assert merged.status_code == 303
    stored = fetch(app, second.id)
    assert (stored.status, stored.duplicate_of_id) == ("duplicate", first.id)
    assert fetch(app, first.id).status == "new"
    assert updates(app)[-1] == {
        "change": "merged",
        "duplicate_of": first.reference,
        "from_status": "new",
    }

    unmerged = post_from(
        as_analyst, page_of(second.reference), action(second.reference, "unmerge"), {}
    )

    assert unmerged.status_code == 303
    stored = fetch(app, second.id)
    assert (stored.status, stored.duplicate_of_id) == ("triaged", None)
    assert updates(app)[-1]["change"] == "unmerged"


def test_only_a_suggested_concern_can_be_chosen_as_the_original(
    app: Flask, as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    first = make_concern(text="Speeding on Elm Road every morning near the school")
    second = make_concern(text="Speeding on Elm Road every morning near the school")
    unrelated = make_concern(text="Fly-tipping behind the leisure centre")

    response = post_from(
        as_analyst,
        page_of(second.reference),
        action(second.reference, "merge"),
        {"duplicate_of": unrelated.reference},
    )

    assert response.status_code == 400
    assert Page.of(response.data).error_summary() == [
        ("Choose the concern this one duplicates", "#duplicate_of")
    ]
    assert fetch(app, second.id).duplicate_of_id is None
    assert first.id


def test_merging_refuses_chains_and_self(
    app: Flask, analyst: User, make_concern: MakeConcern
) -> None:
    from engage.services.triage import TriageRefused, merge_duplicate

    first = make_concern()
    second = make_concern(status="duplicate", duplicate_of_id=first.id)
    third = make_concern()
    now = datetime.now(UTC)
    with app.app_context():
        for concern_id, target in (
            (third.id, second.id),
            (first.id, third.id),
            (third.id, third.id),
        ):
            with pytest.raises(TriageRefused):
                merge_duplicate(
                    db.session(), concern_id, duplicate_of_id=target, user_id=analyst.id, now=now
                )
    assert fetch(app, third.id).duplicate_of_id is None
    assert updates(app) == []
