"""Each channel has one name people read, the same on every page and in every report."""

from __future__ import annotations

from flask.testing import FlaskClient

from engage.channels import channel_label
from engage.models import CHANNELS
from tests.engage.triage.conftest import MakeConcern
from tests.pages import Page

NAMES = {
    "web": "Website",
    "api": "Partner systems (API)",
    "surgery": "Surgery",
    "street_briefing": "Street briefing",
    "panel_meeting": "Panel meeting",
    "community_event": "Community event",
    "other": "Other",
}


def test_every_channel_is_named_in_words() -> None:
    assert {channel: channel_label(channel) for channel in CHANNELS} == NAMES


def test_staff_pages_name_channels_as_the_reports_do(
    as_analyst: FlaskClient, make_concern: MakeConcern
) -> None:
    concern = make_concern(channel="api")

    search = Page.of(as_analyst.get("/staff/concerns").data)
    offered = [option.get_text(strip=True) for option in search.soup.select("#channel option")]
    listed = search.soup.select_one(".engage-concern-table tbody").get_text(" ", strip=True)
    shown = Page.of(as_analyst.get(f"/staff/concerns/{concern.reference}").data).text()

    assert [name for name in offered if name in NAMES.values()] == list(NAMES.values())
    assert "Partner systems (API)" in listed
    assert "Channel Partner systems (API)" in shown
