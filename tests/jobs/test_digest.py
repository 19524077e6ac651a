"""The weekly and monthly digests: the right figures, readable by everyone, in the outbox."""

from __future__ import annotations

import csv
import io
import json
import os
import smtplib
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.orm import Session

from engage.database import write_transaction
from engage.models import (
    Concern,
    ConcernContact,
    Digest,
    EmergingIssue,
    JobRun,
    NewTopic,
)
from engage.reports.rendering import DigestWriter
from engage.settings import PROJECT_ROOT
from jobs.digest import build_digest
from jobs.digest_data import gather_digest
from jobs.digest_model import Filters, Names
from jobs.framework import JobContext, Period, run_job
from tests.jobs.test_digest_smtp_sink import SmtpSink
from tests.rollup_facts import fact

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
WEEK = Period.parse("2026-W47")
CONFIG = PROJECT_ROOT / "config"
CONTACT_EMAIL = "resident.private@example.org"
HOSTILE_QUOTE = '=HYPERLINK("http://x.example") cars speeding in the village every night'

# (weeks before W47, district, theme, channel, concerns, agree, disagree, dont_know)
FACTS = [
    (0, "fenland", "speeding", "web", 12, 3, 5, 1),
    (0, "fenland", "speeding", "surgery", 4, 1, 1, 0),
    (0, "fenland", "drugs", "web", 5, 1, 2, 0),
    (0, "peterborough", "drugs", "web", 9, 2, 4, 2),
    (0, "peterborough", "anti_social_behaviour", "street_briefing", 7, 2, 2, 0),
    (0, "peterborough", "no_concern", "web", 3, 2, 0, 0),
    (0, "cambridge_city", "cycle_theft", "web", 6, 1, 3, 1),
    (0, "cambridge_city", "", "api", 2, 0, 0, 0),
    (1, "fenland", "speeding", "web", 6, 2, 2, 0),
    (1, "peterborough", "drugs", "web", 11, 3, 3, 1),
    (1, "cambridge_city", "cycle_theft", "web", 6, 2, 1, 0),
    (5, "fenland", "speeding", "web", 5, 0, 0, 0),
    (11, "peterborough", "drugs", "web", 8, 0, 0, 0),
    (12, "peterborough", "drugs", "web", 99, 0, 0, 0),  # outside the 12-week trend
]


def add_concern(session: Session, number: int, theme: str, redacted: str, **extra: Any) -> int:
    concern = Concern(
        reference=f"DIG-{number:05d}",
        text=redacted,
        text_redacted=redacted,
        district=extra.pop("district", "fenland"),
        channel="web",
        submitted_at=datetime(2026, 11, 18, 10, number % 60, tzinfo=UTC),
        status="new",
        urgency="routine",
        theme=theme,
        theme_confidence=0.9,
        **extra,
    )
    session.add(concern)
    session.flush()
    return concern.id


@pytest.fixture
def history(session: Session) -> dict[str, Any]:
    with write_transaction(session):
        for weeks_back, district, theme, channel, n, agree, disagree, dont_know in FACTS:
            session.add(
                fact(
                    WEEK.previous(weeks_back),
                    district,
                    theme,
                    channel,
                    n,
                    agree=agree,
                    disagree=disagree,
                    dont_know=dont_know,
                )
            )
        speeding = [
            add_concern(session, 1, "speeding", "Cars speeding through the village every night"),
            add_concern(session, 2, "speeding", "Speeding cars in the village every night"),
            add_concern(session, 3, "speeding", HOSTILE_QUOTE),
            add_concern(session, 4, "speeding", "Lorries too fast past the farm track"),
        ]
        session.add(
            ConcernContact(
                concern_id=speeding[0],
                name="Private Person",
                email=CONTACT_EMAIL,
                phone="07700 900123",
                consent_to_contact=True,
                consent_wording_version="2026-11",
                consented_at=NOW,
            )
        )
        drugs = add_concern(
            session, 5, "drugs", "Dealing outside the shops", district="peterborough"
        )
        topic_ids = [
            add_concern(session, 10 + i, "other", f"Drones over the gardens at night {i}")
            for i in range(3)
        ]
        session.add(
            EmergingIssue(
                grain="week",
                period_start=WEEK.start,
                district="fenland",
                theme="speeding",
                count=16,
                baseline_mean=3.2,
                p_value=0.00004,
                method="test",
                detected_at=NOW,
            )
        )
        session.add(
            NewTopic(
                grain="week",
                period_start=WEEK.start,
                district="fenland",
                top_terms=["drones", "gardens", "night"],
                size=3,
                example_concern_ids=topic_ids,
                detected_at=NOW,
            )
        )
    return {"speeding": speeding, "drugs": drugs, "topic": topic_ids}


def context(tmp_path: Path, *, pdf: bool = False, **settings: Any) -> JobContext:
    """Job settings; PDFs (seconds each) only for the tests about them."""
    values = {
        "config_dir": CONFIG,
        "outbox_dir": tmp_path / "outbox",
        "smtp": None,
        "digest_renderer": DigestWriter(pdf=pdf),
    }
    values.update(settings)
    return JobContext(now=NOW, triggered_by="test", settings=values)


def expected_top_themes() -> list[tuple[str, int, int]]:
    """(theme, this week, last week), computed here from FACTS, ranked by this week."""
    totals: dict[str, list[int]] = {}
    for weeks_back, _, theme, _, n, *_ in FACTS:
        if theme in ("", "no_concern") or weeks_back > 1:
            continue
        totals.setdefault(theme, [0, 0])[weeks_back] += n
    ranked = sorted((t for t in totals if totals[t][0]), key=lambda t: -totals[t][0])
    return [(t, totals[t][0], totals[t][1]) for t in ranked]


def test_the_figures_match_counts_computed_independently(
    session: Session, history: dict[str, Any]
) -> None:
    names = Names.load(CONFIG)
    data = gather_digest(session, WEEK, names, now=NOW)

    assert [(t.theme, t.count, t.previous) for t in data.top_themes] == expected_top_themes()
    assert data.total == sum(f[4] for f in FACTS if f[0] == 0)
    assert data.previous_total == sum(f[4] for f in FACTS if f[0] == 1)
    fenland = next(d for d in data.districts if d.district == "fenland")
    assert (fenland.total, fenland.previous_total) == (21, 6)
    assert [(t.theme, t.count, t.change) for t in fenland.top] == [
        ("speeding", 16, 10),
        ("drugs", 5, 5),
    ]
    agree = sum(f[5] for f in FACTS if f[0] == 0)
    answered = sum(f[5] + f[6] + f[7] for f in FACTS if f[0] == 0)
    assert data.dealing.share == pytest.approx(agree / answered)
    assert data.dealing.baseline == pytest.approx(0.717)
    web = sum(f[4] for f in FACTS if f[0] == 0 and f[3] == "web")
    assert {c.channel: c.count for c in data.channels}["web"] == web
    assert sum(c.share for c in data.channels) == pytest.approx(1.0)
    assert data.trend.periods[-1] == "2026-W47"
    assert len(data.trend.periods) == 12
    assert data.trend.total[0] == 8
    assert data.trend.total[-1] == data.total
    assert data.trend.series["Speeding"][-6:] == [5, 0, 0, 0, 6, 16]
    assert data.heatmap.districts == ["Cambridge City", "Fenland", "Peterborough"]
    assert data.heatmap.cells[1][data.heatmap.themes.index("Speeding")] == 16
    assert [(e.district, e.theme, e.count) for e in data.emerging] == [("Fenland", "Speeding", 16)]
    assert data.new_topics[0].top_terms == ["drones", "gardens", "night"]
    assert len(data.new_topics[0].quotes) == 3
    speeding_quotes = next(q for q in data.quotes if q.theme == "speeding").quotes
    assert len(speeding_quotes) == 3
    # The most typical texts are chosen; the odd one out (lorries at the farm) is not.
    assert history["speeding"][3] not in {q.concern_id for q in speeding_quotes}


def test_filters_narrow_every_figure(session: Session, history: dict[str, Any]) -> None:

    data = gather_digest(
        session, WEEK, Names.load(CONFIG), now=NOW, filters=Filters(district="peterborough")
    )

    assert data.total == 19
    assert [t.theme for t in data.top_themes] == ["drugs", "anti_social_behaviour"]
    assert data.emerging == []
    assert data.new_topics == []
    assert data.filter_names == {"District": "Peterborough"}


def test_the_digest_is_written_to_the_outbox_as_html_pdf_and_csv(
    session: Session, history: dict[str, Any], tmp_path: Path
) -> None:
    result = build_digest(session, WEEK, context(tmp_path))

    folder = tmp_path / "outbox" / "digests" / "weekly-2026-W47"
    names = {p.name for p in folder.iterdir()}
    assert {"digest.html", "manifest.json", "top-themes.csv", "heat-map.csv", "quotes.csv"} <= names
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["period"] == "week:2026-W47".replace("2026-W47", "2026-11-16")
    assert {f["name"] for f in manifest["files"]} == names - {"manifest.json"}
    digest = session.scalars(select(Digest)).one()
    assert (digest.kind, digest.period_start, digest.period_end) == (
        "weekly",
        WEEK.start,
        WEEK.end,
    )
    assert digest.outbox_path == str(folder)
    assert digest.created_at == NOW
    assert digest.emailed_at is None
    assert result.detail["email"].startswith("off")

    with (folder / "top-themes.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "Theme"
    assert [(r[1], r[2]) for r in rows[1:]] == [
        (str(n), str(p)) for _, n, p in expected_top_themes()
    ]


def test_csv_cells_that_could_run_as_formulas_are_neutralised(
    session: Session, history: dict[str, Any], tmp_path: Path
) -> None:
    build_digest(session, WEEK, context(tmp_path))

    text = (tmp_path / "outbox/digests/weekly-2026-W47/quotes.csv").read_text(encoding="utf-8")
    quotes = [row[2] for row in csv.reader(io.StringIO(text))]
    assert "'" + HOSTILE_QUOTE in quotes
    assert HOSTILE_QUOTE not in quotes
    changes = (tmp_path / "outbox/digests/weekly-2026-W47/top-themes.csv").read_text()
    assert ",'" not in changes  # plain numbers, even negative ones, are left alone


def test_the_html_page_is_structured_for_screen_readers_and_shows_no_contact_details(
    session: Session, history: dict[str, Any], tmp_path: Path
) -> None:
    build_digest(session, WEEK, context(tmp_path))
    html = (tmp_path / "outbox/digests/weekly-2026-W47/digest.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")

    assert soup.html["lang"] == "en-GB"
    assert soup.title.get_text().startswith("Weekly digest: week 2026-W47")
    assert [h.get_text(strip=True) for h in soup.find_all("h1")] == [
        "Weekly digest: week 2026-W47 (16 November to 22 November 2026)"
    ]
    sections = [h.get_text(strip=True) for h in soup.find_all("h2")]
    for wanted in (
        "Top themes",
        "Trends",
        "Districts",
        "Emerging issues",
        "New topics",
        "How concerns reached us",
        "Are local concerns being dealt with?",
    ):
        assert wanted in sections
    tables = soup.find_all("table")
    assert len(tables) >= 8
    for table in tables:
        assert table.caption
        assert table.caption.get_text(strip=True)
        assert all(th.get("scope") == "col" for th in table.thead.find_all("th"))
    for svg in soup.find_all("svg"):
        assert svg["role"] == "img"
        assert svg["aria-label"]
        # Every chart is followed by the table of its numbers.
        assert svg.find_parent("figure").find_next_sibling("table") is not None
    assert len(soup.find_all("svg")) == 3
    assert "How we flag rises" in soup.get_text()
    assert "71.7%" in soup.get_text()
    assert "Drones over the gardens at night" in soup.get_text()
    assert CONTACT_EMAIL not in html
    assert "07700 900123" not in html
    assert "Private Person" not in html
    assert "&lt;" not in html or "<script" not in html


def _weasyprint_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return False
    return True


def test_the_pdf_is_produced(session: Session, history: dict[str, Any], tmp_path: Path) -> None:
    if not _weasyprint_available():
        if os.environ.get("ENGAGE_REQUIRE_PDF") == "1":
            pytest.fail("WeasyPrint cannot load its system libraries (pango)")
        pytest.skip(
            "WeasyPrint needs Debian's libpango-1.0-0 libpangoft2-1.0-0 and fonts-dejavu: "
            "apt-get install them to run this test"
        )
    build_digest(session, WEEK, context(tmp_path, pdf=True))

    pdf = (tmp_path / "outbox/digests/weekly-2026-W47/digest.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 10_000


def test_email_is_off_by_default(
    session: Session, history: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("no SMTP connection should be made")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    # SMTP configured but no recipients in config/digests.yaml: still off.
    smtp = {"host": "127.0.0.1", "port": 2525, "from": "digests@example.org"}
    result = build_digest(session, WEEK, context(tmp_path, smtp=smtp))
    assert result.detail["email"].startswith("off")
    # Recipients but no SMTP settings: off too.
    result = build_digest(session, WEEK, context(tmp_path, digest_recipients=["a@example.org"]))
    assert result.detail["email"].startswith("off")


def test_the_digest_is_emailed_when_smtp_and_recipients_are_configured(
    session: Session, history: dict[str, Any], tmp_path: Path
) -> None:
    with SmtpSink() as sink:
        smtp = {
            "host": "127.0.0.1",
            "port": sink.port,
            "from": "digests@example.org",
            "starttls": False,
        }
        recipients = ["commissioner@example.org", "chief.constable@example.org"]
        build_digest(session, WEEK, context(tmp_path, smtp=smtp, digest_recipients=recipients))

    assert len(sink.messages) == 1
    envelope_from, envelope_to, raw = sink.messages[0]
    assert envelope_from == "digests@example.org"
    assert envelope_to == recipients
    message = message_from_bytes(raw, policy=policy.default)
    assert (
        message["Subject"] == "People's Priorities: Weekly digest: week 2026-W47 "
        "(16 November to 22 November 2026)"
    )
    attachments = {part.get_filename() for part in message.walk() if part.get_filename()}
    assert "digest.html" in attachments
    assert CONTACT_EMAIL.encode() not in raw
    session.expire_all()
    assert session.scalars(select(Digest)).one().emailed_at == NOW


def test_a_monthly_digest_runs_through_the_job_framework_once(
    session: Session, history: dict[str, Any], tmp_path: Path
) -> None:
    month = Period.parse("2026-11")
    with freeze_time("2026-12-01 06:00:00"):
        settings = context(tmp_path).settings
        default = JobContext(  # the renderer the scheduler uses: PDF included
            now=NOW, triggered_by="schedule", settings={**settings, "digest_renderer": None}
        )
        first = run_job(session, "digest-monthly", build_digest, month, default)
        again = run_job(session, "digest-monthly", build_digest, month, default)

    assert first.outcome == "succeeded", first.detail
    assert again.id == first.id
    assert (tmp_path / "outbox/digests/monthly-2026-11/digest.html").exists()
    if _weasyprint_available():
        assert (tmp_path / "outbox/digests/monthly-2026-11/digest.pdf").stat().st_size > 0
    assert session.scalars(select(JobRun)).one().rows == 1
    assert [d.kind for d in session.scalars(select(Digest))] == ["monthly"]
