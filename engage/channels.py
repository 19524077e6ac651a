"""The names people read for each way a concern reaches us (``engage.models.CHANNELS``)."""

from __future__ import annotations

_NAMED_APART = {"web": "Website", "api": "Partner systems (API)"}


def channel_label(channel: str) -> str:
    """``street_briefing`` reads "Street briefing"; the two online channels have names of
    their own, as "Web" and "Api" would mean little to a panel member."""
    return _NAMED_APART.get(channel, channel.replace("_", " ").capitalize())
