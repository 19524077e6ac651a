"""The tables of a digest: one definition feeds the HTML page, the PDF and the CSV files."""

from __future__ import annotations

from dataclasses import dataclass

from jobs.digest_model import DigestData, ThemeChange

Cell = str | int


@dataclass(frozen=True)
class Table:
    key: str  # the CSV file's name, without .csv
    caption: str
    headers: list[str]
    rows: list[list[Cell]]
    numeric: frozenset[int] = frozenset()  # columns right-aligned
    signed_columns: frozenset[int] = frozenset()  # changes: shown as +3 / -2 / no change

    def display_rows(self) -> list[list[str]]:
        return [
            [
                signed(cell)
                if i in self.signed_columns and isinstance(cell, int)
                else f"{cell:,}"
                if isinstance(cell, int)
                else cell
                for i, cell in enumerate(row)
            ]
            for row in self.rows
        ]


def signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"{n:,}" if n < 0 else "no change"


def percent(share: float | None) -> str:
    return "no answers" if share is None else f"{share:.1%}"


def _theme_rows(themes: list[ThemeChange]) -> list[list[Cell]]:
    return [[t.name, t.count, t.previous, t.change] for t in themes]


def digest_tables(data: DigestData) -> dict[str, Table]:
    period, before = data.period.label, data.previous.label
    tables = [
        Table(
            "top-themes",
            f"Top themes county-wide, {period} against {before}",
            ["Theme", f"Concerns {period}", f"Concerns {before}", "Change"],
            _theme_rows(data.top_themes),
            frozenset({1, 2, 3}),
            frozenset({3}),
        ),
        Table(
            "districts",
            f"Top {len(data.districts[0].top) if data.districts else 3} themes in each district, "
            f"{period} against {before}",
            ["District", "Concerns", "Change", "Top themes (concerns, change)"],
            [
                [
                    d.name,
                    d.total,
                    d.total - d.previous_total,
                    "; ".join(f"{t.name} ({t.count}, {signed(t.change)})" for t in d.top) or "none",
                ]
                for d in data.districts
            ],
            frozenset({1, 2}),
            frozenset({2}),
        ),
        Table(
            "trend",
            f"Concerns per {data.period.grain} over the last {len(data.trend.periods)} "
            f"{data.period.grain}s: all themes and the top themes",
            ["Period", "All concerns", *data.trend.series],
            [
                [label, data.trend.total[i], *(s[i] for s in data.trend.series.values())]
                for i, label in enumerate(data.trend.periods)
            ],
            frozenset(range(1, 2 + len(data.trend.series))),
        ),
        Table(
            "heat-map",
            f"Concerns by district and theme, {period}",
            ["District", *data.heatmap.themes],
            [[name, *data.heatmap.cells[i]] for i, name in enumerate(data.heatmap.districts)],
            frozenset(range(1, 1 + len(data.heatmap.themes))),
        ),
        Table(
            "emerging-issues",
            f"Emerging issues, {period}: rises unlikely to be chance",
            ["District", "Theme", "Concerns", "Baseline average", "Times baseline", "p-value"],
            [
                [
                    e.district,
                    e.theme,
                    e.count,
                    f"{e.baseline_mean:.1f}",
                    f"{e.ratio:.1f}",
                    f"{e.p_value:.2g}",
                ]
                for e in data.emerging
            ],
            frozenset({2, 3, 4, 5}),
        ),
        Table(
            "new-topics",
            f"New topics, {period}: groups of concerns that fit no theme well",
            ["Top terms", "Concerns", "District", "Example (redacted)"],
            [
                [
                    ", ".join(t.top_terms),
                    t.size,
                    t.district,
                    t.quotes[0].text if t.quotes else "",
                ]
                for t in data.new_topics
            ],
            frozenset({1}),
        ),
        Table(
            "channels",
            f"How concerns reached us, {period}",
            ["Channel", "Concerns", "Share"],
            [[c.label, c.count, f"{c.share:.1%}"] for c in data.channels],
            frozenset({1, 2}),
        ),
        Table(
            "dealing-with-concerns",
            f"Do people feel local concerns are being dealt with? {period}",
            ["Measure", "Value"],
            [
                ["Agree", data.dealing.agree],
                ["Disagree", data.dealing.disagree],
                ["Don't know", data.dealing.dont_know],
                ["Answered", data.dealing.answered],
                ["Share who agree", percent(data.dealing.share)],
                [f"Share who agree, {before}", percent(data.dealing.previous_share)],
                ["Police and Crime Plan baseline", percent(data.dealing.baseline)],
            ],
            frozenset({1}),
        ),
        Table(
            "quotes",
            f"Representative quotes for the top themes, {period} (redacted)",
            ["Theme", "Concern id", "Quote"],
            [[q.name, quote.concern_id, quote.text] for q in data.quotes for quote in q.quotes],
            frozenset({1}),
        ),
    ]
    return {t.key: t for t in tables}
