"""The panel pack on screen and as a PDF: ranking, small numbers, quotes, last priorities."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime

import pytest
from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engage.extensions import db
from engage.models import EmergingIssue, Panel, PublishedQuote
from tests.engage.panels.conftest import NOW, MakeConcern, audit_events
from tests.factories import signed_in, staff_user
from tests.pages import Page
from tests.panel_records import add_action, add_meeting, add_priority

OCTOBER = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
SEPTEMBER = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
JUNE = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
CONTACT = {
    "name": "Jane Contactperson",
    "email": "jane.contact@example.org",
    "phone": "07700 900123",
}
ORIGINAL = "Ring Jane Contactperson on 07700 900123 about the vans parked on the verge"


@pytest.fixture
def evidence(make_concerns: MakeConcern) -> None:
    make_concerns(5, theme="speeding", submitted_at=OCTOBER, channel="web")
    make_concerns(2, theme="speeding", submitted_at=OCTOBER, channel="surgery")
    make_concerns(9, theme="speeding", submitted_at=JUNE)  # the period before
    make_concerns(3, theme="burglary", submitted_at=SEPTEMBER, text="Shed broken into")
    make_concerns(6, theme="drugs", submitted_at=OCTOBER, neighbourhood="March")  # elsewhere
    make_concerns(4, theme="speeding", submitted_at=OCTOBER, status="quarantined")
    make_concerns(
        5,
        theme="parking",
        submitted_at=OCTOBER,
        text=ORIGINAL,
        text_redacted="Ring [name] on [phone] about the vans parked on the verge",
        contact=CONTACT,
    )


def pack_page(client: FlaskClient, panel: Panel, **args: str) -> Page:
    response = client.get(f"/staff/panels/{panel.slug}/pack", query_string=args)
    assert response.status_code == 200
    return Page.of(response.data)


def ranking(page: Page) -> list[list[str]]:
    table = page.soup.select_one("#table-ranking")
    assert isinstance(table, Tag)
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in table.select("tbody tr")
    ]


def section(page: Page, theme: str) -> str:
    heading = page.soup.select_one(f"#theme-{theme}")
    assert isinstance(heading, Tag)
    found = heading.find_parent("section")
    assert isinstance(found, Tag)
    return found.get_text(" ", strip=True)


@pytest.mark.usefixtures("evidence")
def test_the_pack_ranks_counted_concerns_in_the_panels_area_and_hides_small_numbers(
    as_manager: FlaskClient, panel: Panel
) -> None:
    page = pack_page(as_manager, panel)

    assert page.heading == "Wisbech neighbourhood panel (Fenland)"
    assert "1 August 2026 to 31 October 2026" in page.text()
    # All on 15 October, 16 days before the period ends: seven speeding concerns (the four
    # quarantined ones left out), five about parking, three burglaries a little older.
    assert ranking(page) == [
        ["1", "Speeding", f"{7 * 0.5 ** (16 / 30):.2f}", "7", "Down 2 from 9"],
        ["2", "Parking", f"{5 * 0.5 ** (16 / 30):.2f}", "5", "Previous period: fewer than 5"],
        ["3", "Burglary", "not shown", "fewer than 5", "Previous period: fewer than 5"],
    ]
    speeding = section(page, "speeding")
    # Website's 5 would give away Surgery's 2 (7 - 5), so it is withheld too.
    assert "Website not shown Surgery fewer than 5" in speeding
    assert "October 2026 7" in speeding  # the other months had none: nobody to give away
    # 15 in all, less the 12 shown, would give away the 3 burglaries.
    assert "Concerns raised not shown (9 in 1 May 2026 to 31 July 2026)" in page.text()
    burglary = section(page, "burglary")
    assert "August 2026 fewer than 5 September 2026 fewer than 5 October 2026 fewer than 5" in (
        burglary
    )
    assert "Website fewer than 5" in burglary
    assert "Too few concerns to draw a chart." in burglary
    chart = page.soup.select_one("#theme-speeding ~ div svg[role=img]")
    assert chart is not None
    assert "Speeding concerns in each month" in str(chart.get("aria-label"))
    assert " 3 " not in f" {burglary} "
    assert "How we rank" in page.text()
    assert "halves for every 30 days" in page.text()


def test_equal_scores_are_shown_as_equal_ranks_in_name_order(
    as_manager: FlaskClient, panel: Panel, make_concerns: MakeConcern
) -> None:
    make_concerns(6, theme="speeding", submitted_at=OCTOBER)
    make_concerns(5, theme="parking", submitted_at=OCTOBER)
    make_concerns(5, theme="burglary", submitted_at=OCTOBER)

    rows = ranking(pack_page(as_manager, panel))

    assert [row[:2] for row in rows] == [["1", "Speeding"], ["=2", "Burglary"], ["=2", "Parking"]]


@pytest.mark.usefixtures("evidence")
def test_the_pack_never_shows_contact_details_or_unredacted_words(
    as_manager: FlaskClient, panel: Panel
) -> None:
    html = as_manager.get(f"/staff/panels/{panel.slug}/pack").get_data(as_text=True)
    pdf_text = pdf_to_text(as_manager.get(f"/staff/panels/{panel.slug}/pack.pdf").data)

    for text in (html, pdf_text):
        assert "Ring [name] on [phone] about the vans parked on the verge" in text
        for detail in (*CONTACT.values(), ORIGINAL, "Contactperson", "900123"):
            assert detail not in text


def pdf_to_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode()


@pytest.mark.usefixtures("evidence")
def test_the_pdf_shows_the_same_ranking_with_small_numbers_hidden(
    as_manager: FlaskClient, panel: Panel
) -> None:
    response = as_manager.get(f"/staff/panels/{panel.slug}/pack.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_to_text(response.data)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert any(line.startswith("1 Speeding") and line.endswith("7 Down 2 from 9") for line in lines)
    burglary = next(line for line in lines if line.startswith("3 Burglary"))
    assert burglary == "3 Burglary not shown fewer than 5 Previous period: fewer than 5"
    assert "Surgery fewer than 5" in lines
    assert "Website not shown" in lines
    assert "How we rank" in text


def test_a_chosen_period_is_used_and_its_previous_period_is_as_long(
    as_manager: FlaskClient, panel: Panel, make_concerns: MakeConcern
) -> None:
    make_concerns(6, theme="speeding", submitted_at=JUNE)

    page = pack_page(as_manager, panel, end="2026-07")

    assert "1 May 2026 to 31 July 2026" in page.text()
    assert "1 February 2026 to 30 April 2026" in page.text()
    assert ranking(page)[0][:4] == ["1", "Speeding", ranking(page)[0][2], "6"]


def test_the_pack_shows_emerging_issues_and_how_last_times_priorities_stand(
    app: Flask, as_manager: FlaskClient, panel: Panel
) -> None:
    with app.app_context():
        session = db.session()
        session.add(
            EmergingIssue(
                grain="week",
                period_start=date(2026, 10, 12),
                district="fenland",
                theme="drugs",
                count=3,
                baseline_mean=0.4,
                p_value=0.001,
                method="poisson",
                detected_at=NOW,
            )
        )
        session.commit()
        meeting = add_meeting(session, session.get(Panel, panel.id), held_on=date(2026, 8, 20))
        priority = add_priority(
            session,
            meeting,
            wording="Stop cars racing on the Lynn Road",
            review_on=date(2026, 11, 1),
        )
        add_action(session, priority, taken_on=date(2026, 9, 3), description="Speed checks held")

    page = pack_page(as_manager, panel)
    emerging = page.soup.select_one("#table-emerging")
    assert isinstance(emerging, Tag)
    assert "Drugs Week starting 12 October 2026 fewer than 5" in emerging.get_text(" ", strip=True)
    text = page.text()
    assert "Set at the meeting on 20 August 2026" in text
    assert "Stop cars racing on the Lynn Road" in text
    assert "Review overdue" in text
    assert "3 September 2026: Speed checks held" in text


def test_staff_approve_a_quote_for_publication_and_withdraw_it(
    app: Flask, as_manager: FlaskClient, panel: Panel, make_concerns: MakeConcern
) -> None:
    (concern,) = make_concerns(
        1, theme="drugs", submitted_at=OCTOBER, text="Dealing by [place]", theme_confidence=0.9
    )
    pack_url = f"/staff/panels/{panel.slug}/pack"
    token = pack_page(as_manager, panel).csrf_token()

    response = as_manager.post(
        f"/staff/panels/{panel.slug}/quotes/{concern.id}/approve",
        data={"csrf_token": token, "end": "2026-10"},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == f"{pack_url}?end=2026-10#quotes"
    with app.app_context():
        quote = db.session.scalars(select(PublishedQuote)).one()
        assert (quote.concern_id, quote.text) == (concern.id, "Dealing by [place]")
    assert "Approved for publication" in section(pack_page(as_manager, panel), "drugs")
    assert [(e.action, e.detail["concern_id"]) for e in audit_events(app, "published_quote")] == [
        ("create", concern.id)
    ]

    as_manager.post(
        f"/staff/panels/{panel.slug}/quotes/{concern.id}/withdraw", data={"csrf_token": token}
    )

    with app.app_context():
        assert db.session.scalars(select(PublishedQuote)).all() == []
    assert "Approved for publication" not in section(pack_page(as_manager, panel), "drugs")
    assert [e.detail.get("change") for e in audit_events(app, "published_quote")] == [
        None,
        "withdrawn",
    ]


def test_a_panel_member_reads_their_own_areas_pack_only(
    app: Flask, client: FlaskClient, panel: Panel
) -> None:
    with app.app_context():
        fenland = staff_user(db.session(), role="panel", district_scope="fenland")
        elsewhere = staff_user(db.session(), role="panel", district_scope="huntingdonshire")

    signed_in(client, fenland)
    page = pack_page(client, panel)
    assert "Approve for publication" not in page.text()
    assert "Record a meeting" not in page.text()

    signed_in(client, elsewhere)
    assert client.get(f"/staff/panels/{panel.slug}/pack").status_code == 404
    assert client.get(f"/staff/panels/{panel.slug}/pack.pdf").status_code == 404
