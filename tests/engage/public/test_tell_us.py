"""A resident tells us their priority through the web form."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engage.extensions import db
from engage.models import Concern, ConcernContact
from tests.engage.public.conftest import Send
from tests.pages import Page
from tests.stored import stored_concerns as stored

QUESTION = (
    "What is the one issue you would like the police to tackle as a priority "
    "in the neighbourhood where you live?"
)


def test_the_form_asks_the_survey_question_and_says_it_is_not_for_crimes(
    sqlite_client: FlaskClient,
) -> None:
    page = Page.of(sqlite_client.get("/").data)

    assert page.heading == "Tell us your policing priority"
    assert QUESTION in page.text()
    assert "This is not a way to report a crime" in page.text()
    assert "999" in page.text()
    assert "101" in page.text()
    assert page.soup.select_one(".govuk-exit-this-page") is not None
    assert "GOV.UK" not in page.text()
    assert page.soup.select_one("form")["novalidate"] is not None


def test_tell_us_is_an_address_for_the_form(sqlite_client: FlaskClient) -> None:
    response = sqlite_client.get("/tell-us")
    assert response.status_code == 301
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/privacy", "/accessibility", "/cookies"])
def test_every_page_warns_it_is_not_for_reporting_crime(
    sqlite_client: FlaskClient, path: str
) -> None:
    page = Page.of(sqlite_client.get(path).data)
    assert "This is not a way to report a crime" in page.text()
    assert page.heading


def test_a_resident_gets_a_reference_and_the_concern_is_stored(app: Flask, send: Send) -> None:
    response = send(
        concern="Drug dealing by the park gates", district="peterborough", place="Orton"
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/confirmation"
    (concern,) = stored(app)
    assert concern.text == "Drug dealing by the park gates"
    assert concern.district == "peterborough"
    assert concern.place == "Orton"
    assert concern.neighbourhood == "Orton"
    assert concern.channel == "web"
    assert concern.status == "new"
    assert concern.urgency == "routine"
    assert concern.contact is None


def test_the_confirmation_page_shows_the_reference_and_what_happens_next(
    app: Flask, client: FlaskClient, send: Send
) -> None:
    send(district="huntingdonshire", place="St Ives")
    page = Page.of(client.get("/confirmation").data)
    (concern,) = stored(app)

    assert page.heading.startswith("Thank you")
    assert page.soup.select_one(".engage-reference").get_text() == concern.reference
    assert "What happens next" in page.text()
    assert "Huntingdonshire" in page.text()
    assert page.soup.find("a", string="privacy notice")["href"] == "/privacy"


def test_the_confirmation_page_without_a_submission_goes_back_to_the_form(
    sqlite_client: FlaskClient,
) -> None:
    response = sqlite_client.get("/confirmation")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_contact_details_are_stored_apart_with_the_consent_given(app: Flask, send: Send) -> None:
    send(
        wants_contact="yes",
        contact_name="Sam Resident",
        contact_email="Sam@Example.org",
        contact_phone="07700 900 982",
        consent="y",
        age_band="35_44",
        dealing_with_concerns="disagree",
        impact="I don't let my kids cycle to school",
    )
    (concern,) = stored(app)

    assert concern.age_band == "35_44"
    assert concern.dealing_with_concerns == "disagree"
    assert concern.impact == "I don't let my kids cycle to school"
    assert concern.contact is not None
    assert concern.contact.email == "Sam@example.org"
    assert concern.contact.phone == "07700 900 982"
    assert concern.contact.consent_to_contact is True
    assert concern.contact.consent_wording_version == "2026-11"


def test_contact_details_are_not_kept_when_the_resident_says_no(app: Flask, send: Send) -> None:
    send(wants_contact="no", contact_email="someone@example.org")
    (concern,) = stored(app)
    assert concern.contact is None


def test_a_postcode_district_is_used_when_no_district_is_chosen(app: Flask, send: Send) -> None:
    send(district=None, place="PE13 2AB")
    (concern,) = stored(app)
    assert concern.district == "fenland"


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"concern": ""}, "concern", "Enter the issue you want the police to tackle"),
        (
            {"concern": "  a "},
            "concern",
            "The issue you want the police to tackle must be 3 characters or more",
        ),
        (
            {"concern": "x" * 2001},
            "concern",
            "The issue you want the police to tackle must be 2,000 characters or fewer"
            " (you have 2,001)",
        ),
        ({"district": None, "place": ""}, "district", "Select the district you live in"),
        ({"district": "narnia"}, "district", "Select the district you live in from the list"),
        ({"age_band": "ancient"}, "age_band", "Select your age group from the list"),
        (
            {"wants_contact": "yes", "consent": "y"},
            "contact_email",
            "Enter an email address or a phone number",
        ),
        (
            {"wants_contact": "yes", "contact_email": "not-an-email", "consent": "y"},
            "contact_email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        (
            {"wants_contact": "yes", "contact_phone": "call me", "consent": "y"},
            "contact_phone",
            "Enter a phone number, like 01632 960 001 or 07700 900 982",
        ),
        (
            {"wants_contact": "yes", "contact_email": "a@example.org"},
            "consent",
            "Confirm that we may use your contact details to tell you what happens next",
        ),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_in_the_summary(
    app: Flask, send: Send, answers: dict[str, str | None], field: str, message: str
) -> None:
    response = send(**answers)
    page = Page.of(response.data)

    assert response.status_code == 400
    assert page.title.startswith("Error: ")
    assert (message, f"#{field}") in page.error_summary()
    assert page.field_error(field) == message
    assert stored(app) == []


def test_everything_typed_is_kept_when_there_is_an_error(sqlite_send: Send) -> None:
    page = Page.of(
        sqlite_send(
            concern="Speeding on the A141 <b>every</b> day",
            district=None,
            place="somewhere",
            impact="Scared to cross",
            age_band="65_74",
        ).data
    )

    assert page.value("concern") == "Speeding on the A141 <b>every</b> day"
    assert page.value("place") == "somewhere"
    assert page.value("impact") == "Scared to cross"
    assert page.value("age_band") == "65_74"


@pytest.mark.parametrize(
    "text",
    [
        "Zu viele Autos parken auf dem Gehweg",
        "Dużo śmieci przy sklepie na Lincoln Road",
        "Наркотики продают возле школы",
        "منشیات کا کاروبار پارک میں",
        "街上有很多垃圾",
        "Speeding 🚗💨 on Mill Road!!!",
        "Line one\r\nLine two\twith a tab",
    ],
)
def test_text_in_any_script_is_stored_exactly_as_typed(app: Flask, send: Send, text: str) -> None:
    send(concern=text)
    (concern,) = stored(app)
    assert concern.text == text


def test_hidden_control_characters_are_refused_with_a_reason(sqlite_send: Send) -> None:
    page = Page.of(sqlite_send(concern="bad\x00text here").data)
    assert page.field_error("concern").startswith(
        "The issue you want the police to tackle contains hidden characters"
    )


def test_html_is_shown_as_text_never_run(app: Flask, client: FlaskClient, send: Send) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    page = Page.of(send(concern=payload, district=None, place="").data)

    assert page.value("concern") == payload
    assert page.soup.find("img", attrs={"src": "x"}) is None
    assert not [s for s in page.soup.find_all("script") if "alert" in s.get_text()]


def test_sending_the_same_form_twice_stores_it_once(app: Flask, client: FlaskClient) -> None:
    token = Page.of(client.get("/").data).csrf_token()
    answers = {
        "csrf_token": token,
        "concern": "Fly-tipping in the alley",
        "district": "fenland",
        "submission_id": "same-form-123456789",
        "action": "send",
    }

    first = client.post("/", data=answers)
    reference = (
        Page.of(client.get("/confirmation").data).soup.select_one(".engage-reference").get_text()
    )
    second = client.post("/", data=answers)
    again = (
        Page.of(client.get("/confirmation").data).soup.select_one(".engage-reference").get_text()
    )

    assert first.status_code == second.status_code == 303
    assert reference == again
    assert len(stored(app)) == 1


def test_an_edited_resend_of_the_same_form_is_a_new_concern(
    app: Flask, client: FlaskClient
) -> None:
    token = Page.of(client.get("/").data).csrf_token()
    common = {
        "csrf_token": token,
        "district": "fenland",
        "submission_id": "same-form-123456789",
        "action": "send",
    }
    client.post("/", data={**common, "concern": "Fly-tipping in the alley"})
    client.post("/", data={**common, "concern": "Fly-tipping in the alley behind the Co-op"})

    assert [c.text for c in stored(app)] == [
        "Fly-tipping in the alley",
        "Fly-tipping in the alley behind the Co-op",
    ]


def test_an_expired_form_keeps_the_text_and_can_be_sent_again(
    app: Flask, client: FlaskClient
) -> None:
    response = client.post(
        "/",
        data={
            "csrf_token": "expired",
            "concern": "Boy racers on the A47",
            "district": "peterborough",
            "submission_id": "expired-form-12345678",
        },
    )
    page = Page.of(response.data)

    assert response.status_code == 400
    assert "this page timed out" in page.text()
    assert page.value("concern") == "Boy racers on the A47"
    assert page.value("district") == "peterborough"
    resent = client.post(
        "/",
        data={
            **page.hidden_fields(),
            "concern": page.value("concern"),
            "district": "peterborough",
            "action": "send",
        },
    )
    assert resent.status_code == 303
    assert [c.text for c in stored(app)] == ["Boy racers on the A47"]


def test_an_oversized_body_gets_a_clear_page(sqlite_client: FlaskClient) -> None:
    response = sqlite_client.post("/", data={"concern": "x" * 200_000})
    page = Page.of(response.data)

    assert response.status_code == 413
    assert page.heading == "What you sent is too large"


def test_an_unknown_page_is_a_404_page(sqlite_client: FlaskClient) -> None:
    response = sqlite_client.get("/no-such-page")
    assert response.status_code == 404
    assert Page.of(response.data).heading == "Page not found"


class TestUrgentDisclosures:
    def test_an_urgent_concern_gets_the_advice_before_it_is_accepted(
        self, app: Flask, send: Send
    ) -> None:
        response = send(concern="My partner hits me and I am scared for my life")
        page = Page.of(response.data)

        assert response.status_code == 200
        assert page.heading == "If you or someone else is in danger, call 999 now"
        assert "0808 2000 247" in page.text()
        assert page.soup.select_one(".govuk-exit-this-page") is not None
        assert stored(app) == []

    def test_sending_after_the_advice_stores_it_marked_urgent(
        self, app: Flask, client: FlaskClient, send: Send
    ) -> None:
        advice = Page.of(send(concern="My partner hits me and I am scared for my life").data)
        response = client.post("/", data={**advice.hidden_fields(), "action": "send"})
        (concern,) = stored(app)

        assert response.status_code == 303
        assert concern.text == "My partner hits me and I am scared for my life"
        assert concern.urgency == "urgent"
        assert concern.urgency_reasons is not None
        assert "domestic_abuse" in concern.urgency_reasons
        assert (
            "A member of staff will read your concern first"
            in Page.of(client.get("/confirmation").data).text()
        )

    def test_going_back_from_the_advice_keeps_what_was_typed(
        self, app: Flask, client: FlaskClient, send: Send
    ) -> None:
        advice = Page.of(
            send(concern="Someone is being attacked outside right now", place="March").data
        )
        response = client.post("/", data={**advice.hidden_fields(), "action": "change"})
        page = Page.of(response.data)

        assert page.heading == "Tell us your policing priority"
        assert page.value("concern") == "Someone is being attacked outside right now"
        assert page.value("place") == "March"
        assert stored(app) == []


def test_concerns_and_contacts_count_once_per_submission(app: Flask, send: Send) -> None:
    send(wants_contact="yes", contact_email="a@example.org", consent="y")
    send(concern="Parking on the pavement by the school")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Concern)) == 2
        assert db.session.scalar(select(func.count()).select_from(ConcernContact)) == 1
