"""The triage queue: which concerns wait in which list, counted, oldest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time

from engage.models import User
from tests.engage.triage.conftest import WEDNESDAY, MakeConcern, MakeUser, as_role
from tests.factories import signed_in
from tests.pages import Page

NOW = WEDNESDAY + timedelta(days=1)


def listed(client: FlaskClient, category: str) -> list[str]:
    page = Page.of(client.get(f"/staff/triage/{category}", follow_redirects=True).data)
    return [a.get_text(strip=True) for a in page.soup.select(".engage-concern-table tbody a")]


def tab_counts(client: FlaskClient) -> dict[str, str]:
    page = Page.of(client.get("/staff/triage").data)
    return {
        a.get_text(" ", strip=True).rsplit(" ", 1)[0]: a.select_one(".engage-count").get_text()
        for a in page.soup.select(".govuk-tabs__tab")
    }


@freeze_time(NOW)
def test_each_list_holds_only_the_open_concerns_it_is_for(
    client: FlaskClient, analyst: User, make_concern: MakeConcern
) -> None:
    as_analyst = signed_in(client, analyst)
    urgent = make_concern(urgency="urgent", text="Someone is threatening me tonight")
    handled_urgent = make_concern(urgency="urgent", status="handled", text="Knife at the park")
    unsure = make_concern(needs_review=True, text="Something about the bins and the bus")
    foreign = make_concern(needs_translation=True, text="Samochody jeżdżą za szybko")
    raw = make_concern(classified_at=None, theme=None, text="Nobody has looked at this yet")
    routine = make_concern(text="An ordinary concern about parking on verges")

    assert listed(as_analyst, "urgent") == [urgent.reference]
    assert listed(as_analyst, "low-confidence") == [unsure.reference]
    assert listed(as_analyst, "translation") == [foreign.reference]
    assert listed(as_analyst, "unclassified") == [raw.reference]
    assert listed(as_analyst, "duplicates") == []
    everything = {r for c in CATEGORIES for r in listed(as_analyst, c)}
    assert routine.reference not in everything
    assert handled_urgent.reference not in everything


CATEGORIES = ("urgent", "low-confidence", "translation", "unclassified", "duplicates")


@freeze_time(NOW)
def test_possible_duplicates_are_listed_together_and_merged_ones_leave(
    client: FlaskClient, analyst: User, make_concern: MakeConcern
) -> None:
    as_analyst = signed_in(client, analyst)
    first = make_concern(text="Speeding cars on Elm Road every morning!")
    second = make_concern(
        text="speeding cars on elm road every morning", submitted_at=WEDNESDAY + timedelta(hours=3)
    )
    make_concern(text="Speeding cars on Elm Road every morning", district="peterborough")
    make_concern(
        text="Speeding cars on Elm Road every morning", submitted_at=WEDNESDAY - timedelta(days=7)
    )
    make_concern(
        text="Speeding cars on Elm Road every morning",
        status="duplicate",
        duplicate_of_id=first.id,
    )

    assert listed(as_analyst, "duplicates") == [first.reference, second.reference]


@freeze_time(NOW)
def test_tabs_show_counts_and_lists_are_oldest_first_and_paginated(
    client: FlaskClient, analyst: User, make_concern: MakeConcern
) -> None:
    as_analyst = signed_in(client, analyst)
    made = [
        make_concern(
            needs_review=True,
            text=f"Unsure concern number {n} about something",
            submitted_at=WEDNESDAY - timedelta(minutes=n),
        )
        for n in range(27)
    ]
    oldest_first = [c.reference for c in reversed(made)]

    counts = tab_counts(as_analyst)
    assert counts["Low confidence"] == "(27)"
    assert counts["Urgent or safeguarding"] == "(0)"
    assert listed(as_analyst, "low-confidence") == oldest_first[:25]
    page_two = Page.of(as_analyst.get("/staff/triage/low-confidence?page=2").data)
    on_page_two = page_two.soup.select(".engage-concern-table tbody a")
    assert [a.get_text(strip=True) for a in on_page_two] == oldest_first[25:]


def test_an_unknown_list_is_not_found(as_analyst: FlaskClient) -> None:
    assert as_analyst.get("/staff/triage/everything").status_code == 404


@pytest.mark.parametrize("role", ["outreach", "panel", "commissioner_office"])
def test_only_analysts_and_admins_see_the_queue(
    client: FlaskClient, make_user: MakeUser, role: str
) -> None:
    assert as_role(client, make_user, role).get("/staff/triage").status_code == 403


def test_admins_see_the_queue(client: FlaskClient, make_user: MakeUser) -> None:
    assert as_role(client, make_user, "admin").get("/staff/triage").status_code == 200
