"""What staff see when a meeting form is incomplete: GOV.UK messages next to the fields,
linked from the summary, with what they typed kept. Nothing is stored."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engage.extensions import db
from engage.models import Panel, PanelMeeting
from tests.engage.panels.conftest import post_from
from tests.engage.panels.test_meetings import date_fields, meeting_fields, priority_fields
from tests.pages import Page


def post_meeting(client: FlaskClient, panel: Panel, data: dict[str, object]) -> Page:
    response = post_from(client, f"/staff/panels/{panel.slug}/meetings/new", data)
    assert response.status_code == 400
    return Page.of(response.data)


def test_an_empty_form_says_what_to_enter(as_manager: FlaskClient, panel: Panel) -> None:
    page = post_meeting(as_manager, panel, {})

    assert page.title.startswith("Error: Record a meeting")
    assert page.error_summary() == [
        ("Enter the date the meeting was held", "#held_on-day"),
        ("Enter how many people attended", "#attendees"),
        ("Enter the date the evidence period started", "#period_start-day"),
        ("Enter the date the evidence period ended", "#period_end-day"),
        ("Enter at least one priority", "#priorities-0-wording"),
    ]
    assert page.field_error("attendees") == "Enter how many people attended"
    assert page.field_error("priorities-0-wording") == "Enter at least one priority"


def test_a_partly_filled_priority_says_what_is_missing_and_keeps_what_was_typed(
    app: Flask, as_manager: FlaskClient, panel: Panel
) -> None:
    page = post_meeting(
        as_manager,
        panel,
        {
            **meeting_fields(attendees="about twenty"),
            **priority_fields(0, "Tackle speeding", ["speeding"], "Wisbech team", date(2027, 2, 1)),
            "priorities-1-wording": "Stop dealing near the park",
            **date_fields("priorities-2-review_on", date(2026, 11, 1)),
            "priorities-2-owner": "Fenland District Council",
        },
    )

    assert page.error_summary() == [
        ("Enter the number of people as a whole number, like 12", "#attendees"),
        ("Select at least one theme the priority covers", "#priorities-1-themes"),
        ("Enter who owns the priority", "#priorities-1-owner"),
        ("Enter the date of the review", "#priorities-1-review_on-day"),
        ("Enter the priority as it will be published", "#priorities-2-wording"),
        ("Select at least one theme the priority covers", "#priorities-2-themes"),
        (
            "The date of the review must be on or after the meeting date",
            "#priorities-2-review_on-day",
        ),
    ]
    assert page.field_error("priorities-1-owner") == "Enter who owns the priority"
    assert page.value("attendees") == "about twenty"
    assert page.value("priorities-0-wording") == "Tackle speeding"
    assert page.value("priorities-1-wording") == "Stop dealing near the park"
    assert page.value("priorities-2-owner") == "Fenland District Council"
    assert page.value("priorities-0-themes") == "speeding"
    with app.app_context():
        assert db.session.scalars(select(PanelMeeting)).all() == []


def test_dates_must_be_real_and_the_period_must_end_after_it_starts(
    as_manager: FlaskClient, panel: Panel
) -> None:
    page = post_meeting(
        as_manager,
        panel,
        {
            **meeting_fields(),
            "held_on": ["31", "2", "2026"],
            **date_fields("period_start", date(2026, 10, 31)),
            **date_fields("period_end", date(2026, 8, 1)),
            **priority_fields(0, "Tackle speeding", ["speeding"], "Wisbech team", date(2027, 2, 1)),
        },
    )

    assert page.error_summary() == [
        ("The date the meeting was held must be a real date, like 27 3 2025", "#held_on-day"),
        ("The evidence period must end on or after the day it starts", "#period_end-day"),
    ]


def test_a_meeting_in_the_future_is_refused(as_manager: FlaskClient, panel: Panel) -> None:
    page = post_meeting(
        as_manager,
        panel,
        {
            **meeting_fields(held_on=date(2026, 12, 1)),
            **priority_fields(0, "Tackle speeding", ["speeding"], "Wisbech team", date(2027, 2, 1)),
        },
    )

    assert page.error_summary() == [
        ("The date the meeting was held must be today or in the past", "#held_on-day")
    ]
