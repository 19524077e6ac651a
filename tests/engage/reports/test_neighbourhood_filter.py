"""The dashboard narrowed to one neighbourhood: its figures, its quotes, and plain errors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time

from engage.database import write_transaction
from engage.extensions import db
from engage.models import Concern, EmergingIssue
from engage.reference_data import reference_data
from jobs.digest_model import Filters
from jobs.framework import Period
from tests.engage.reports.test_dashboard import as_role, selected, table_rows, text_of
from tests.pages import Page
from tests.rollup_facts import fact

NOW = "2026-11-25 10:00:00"  # the latest complete week is 2026-W47
W47 = Period.parse("2026-W47")
W46 = W47.previous()
WISBECH = "/staff/reports?neighbourhood=fenland/Wisbech&day=2026-11-18"

# (period, day of it, district, neighbourhood, theme, channel, concerns, agree)
FACTS = [
    (W47, 0, "fenland", "Wisbech", "speeding", "web", 9, 2),
    (W47, -1, "fenland", "Wisbech", "speeding", "surgery", 3, 1),
    (W47, 2, "fenland", "Wisbech", "drugs", "web", 4, 0),
    (W47, 3, "fenland", "Wisbech", "anti_social_behaviour", "street_briefing", 6, 3),
    (W47, 0, "fenland", "March", "speeding", "web", 20, 5),
    (W47, 1, "fenland", "", "drugs", "web", 7, 1),
    (W47, 0, "peterborough", "Orton", "drugs", "web", 12, 4),
    (W47, 4, "peterborough", "", "speeding", "web", 8, 0),
    (W46, 0, "fenland", "Wisbech", "speeding", "web", 2, 0),
    (W46, 5, "fenland", "Wisbech", "drugs", "surgery", 5, 1),
    (W46, 0, "fenland", "March", "drugs", "web", 11, 2),
]
THEME_NAMES = {
    "speeding": "Speeding",
    "drugs": "Drugs",
    "anti_social_behaviour": "Anti-social behaviour",
}


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


@pytest.fixture
def facts(app: Flask) -> None:
    with app.app_context():
        session = db.session()
        with write_transaction(session):
            for period, day, district, place, theme, channel, n, agree in FACTS:
                session.add(
                    fact(
                        period,
                        district,
                        theme,
                        channel,
                        n,
                        day=day,
                        neighbourhood=place,
                        agree=agree,
                    )
                )


def expected(district: str, neighbourhood: str | None = None) -> dict[str, list[int]]:
    """Per theme, [concerns in W47, concerns in W46], summed straight from ``FACTS``."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for period, _, fact_district, place, theme, _, n, _ in FACTS:
        if fact_district == district and neighbourhood in (None, place):
            counts[theme][0 if period == W47 else 1] += n
    return counts


def top_theme_counts(page: Page) -> dict[str, list[int]]:
    return {
        row[0]: [int(row[1].replace(",", "")), int(row[2].replace(",", ""))]
        for row in table_rows(page, "top-themes")
    }


def glance(page: Page, key: str) -> str:
    term = page.soup.find("dt", string=key)
    value = term.find_next_sibling("dd") if isinstance(term, Tag) else None
    assert value is not None, f"no {key} in the summary"
    return value.get_text(" ", strip=True)


def test_every_neighbourhood_is_offered_labelled_with_its_district(
    app: Flask, client: FlaskClient
) -> None:
    page = Page.of(as_role(app, client, "analyst").get("/staff/reports").data)

    options = page.soup.select("select#neighbourhood option")
    assert options[0].get_text(strip=True) == "All neighbourhoods"
    assert options[0]["value"] == ""
    labels = {o["value"]: o.get_text(strip=True) for o in options[1:]}
    assert labels["fenland/Wisbech"] == "Wisbech (Fenland)"
    assert labels["cambridge_city/King's Hedges"] == "King's Hedges (Cambridge City)"
    with app.app_context():
        districts = reference_data().areas.districts
    assert len(labels) == sum(len(d.neighbourhoods) for d in districts)


def test_a_neighbourhood_narrows_every_count_to_it_and_implies_its_district(
    app: Flask, client: FlaskClient, facts: None
) -> None:
    page = Page.of(as_role(app, client, "analyst").get(WISBECH).data)

    wanted = expected("fenland", "Wisbech")
    assert top_theme_counts(page) == {THEME_NAMES[t]: n for t, n in wanted.items() if n[0]}
    total = sum(n[0] for n in wanted.values())
    previous = sum(n[1] for n in wanted.values())
    assert glance(page, "Concerns raised") == f"{total} ({previous} in 2026-W46)"
    assert total > previous
    districts = [row[:3] for row in table_rows(page, "districts")]
    assert districts == [["Fenland", str(total), f"+{total - previous}"]]
    agree = sum(f[7] for f in FACTS if f[0] == W47 and f[2] == "fenland" and f[3] == "Wisbech")
    assert ["Agree", str(agree)] in table_rows(page, "dealing-with-concerns")
    assert "district Fenland, neighbourhood Wisbech" in text_of(page, "showing")
    assert selected(page, "neighbourhood") == "fenland/Wisbech"
    assert selected(page, "district") == ""


def test_the_rest_of_a_district_is_still_counted_without_a_neighbourhood(
    app: Flask, client: FlaskClient, facts: None
) -> None:
    client = as_role(app, client, "analyst")
    page = Page.of(client.get("/staff/reports?district=fenland&day=2026-11-18").data)

    wanted = expected("fenland")
    assert top_theme_counts(page) == {THEME_NAMES[t]: n for t, n in wanted.items() if n[0]}


def test_a_neighbourhood_can_be_chosen_with_its_own_district_and_a_channel(
    app: Flask, client: FlaskClient, facts: None
) -> None:
    client = as_role(app, client, "analyst")
    page = Page.of(
        client.get(
            "/staff/reports?district=fenland&neighbourhood=fenland/Wisbech&channel=web"
            "&day=2026-11-18"
        ).data
    )

    web: dict[str, int] = defaultdict(int)
    for period, _, district, place, theme, channel, n, _ in FACTS:
        if (period, district, place, channel) == (W47, "fenland", "Wisbech", "web"):
            web[THEME_NAMES[theme]] += n
    assert {name: n[0] for name, n in top_theme_counts(page).items()} == web


def test_emerging_issues_and_new_topics_say_they_cover_the_whole_district(
    app: Flask, client: FlaskClient, facts: None
) -> None:
    with app.app_context():
        session = db.session()
        with write_transaction(session):
            session.add(
                EmergingIssue(
                    grain="week",
                    period_start=W47.start,
                    district="fenland",
                    theme="speeding",
                    count=32,
                    baseline_mean=4.0,
                    p_value=0.0001,
                    method="test",
                    detected_at=datetime(2026, 11, 23, 5, 0, tzinfo=UTC),
                )
            )
    client = as_role(app, client, "analyst")
    page = Page.of(client.get(WISBECH).data)

    whole = "for all of Fenland, not only Wisbech"
    assert whole in text_of(page, "emerging-issues-scope")
    assert whole in text_of(page, "new-topics-scope")
    assert table_rows(page, "emerging-issues")[0][:3] == ["Fenland", "Speeding", "32"]
    assert glance(page, "Emerging issues") == "1 (all of Fenland)"

    district_only = Page.of(client.get("/staff/reports?district=fenland&day=2026-11-18").data)
    assert district_only.soup.find(id="emerging-issues-scope") is None
    assert district_only.soup.find(id="new-topics-scope") is None


def test_quotes_come_only_from_the_chosen_neighbourhood(
    app: Flask, client: FlaskClient, facts: None
) -> None:
    texts = {
        "Wisbech": "Cars race down the high street at night",
        "March": "Speeding lorries on the bypass every morning",
        None: "Too fast through the village, no neighbourhood given",
    }
    with app.app_context():
        session = db.session()
        with write_transaction(session):
            for number, (place, said) in enumerate(texts.items()):
                session.add(
                    Concern(
                        reference=f"NBH-{number:05d}",
                        text=said,
                        text_redacted=said,
                        district="fenland",
                        neighbourhood=place,
                        channel="web",
                        submitted_at=datetime(2026, 11, 18, 10, number, tzinfo=UTC),
                        status="new",
                        urgency="routine",
                        theme="speeding",
                        theme_confidence=0.9,
                    )
                )
    client = as_role(app, client, "analyst")

    assert speeding_quotes(client, WISBECH) == [texts["Wisbech"]]
    assert sorted(speeding_quotes(client, "/staff/reports?district=fenland")) == sorted(
        texts.values()
    )


def speeding_quotes(client: FlaskClient, url: str) -> list[str]:
    """The texts quoted under "Speeding" in "In residents' words"."""
    page = Page.of(client.get(url).data)
    heading = page.soup.find("h3", string="Speeding")
    assert heading is not None
    quotes = []
    for node in heading.find_next_siblings():
        if node.name != "blockquote":
            break
        quotes.append(node.get_text(strip=True).strip("\u201c\u201d"))
    return quotes


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("neighbourhood=fenland/Atlantis", "Select a neighbourhood from the list"),
        ("neighbourhood=Wisbech", "Select a neighbourhood from the list"),
        (
            "district=fenland&neighbourhood=peterborough/Orton",
            "Select a neighbourhood in Fenland, or All neighbourhoods",
        ),
    ],
)
def test_a_neighbourhood_that_cannot_be_used_is_explained_and_kept(
    app: Flask, client: FlaskClient, facts: None, query: str, message: str
) -> None:
    client = as_role(app, client, "analyst")
    page = Page.of(client.get(f"/staff/reports?{query}&day=2026-11-18").data)

    assert page.title.startswith("Error: ")
    assert page.error_summary() == [(message, "#neighbourhood")]
    assert page.field_error("neighbourhood") == message
    assert page.soup.find(id="figures") is None
    assert page.value("day") == "2026-11-18"
    if "district=fenland" in query:
        assert selected(page, "district") == "fenland"
        assert selected(page, "neighbourhood") == "peterborough/Orton"


def test_an_unknown_district_is_the_only_error_when_a_neighbourhood_is_also_chosen(
    app: Flask, client: FlaskClient
) -> None:
    client = as_role(app, client, "analyst")
    page = Page.of(client.get("/staff/reports?district=atlantis&neighbourhood=fenland/March").data)

    assert page.error_summary() == [("Select a district from the list", "#district")]


def test_a_neighbourhood_filter_always_names_its_district() -> None:
    with pytest.raises(ValueError, match="district"):
        Filters(neighbourhood="Wisbech")
    assert Filters(district="fenland", neighbourhood="Wisbech").any
