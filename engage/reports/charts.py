"""Charts drawn on the server as SVG, readable in greyscale.

Lines differ by style and marker and are labelled at their ends; bars carry hatching and
their value; the heat map prints each count in its cell. Every chart is followed on the
page by a table of its numbers, so the SVG is an image with a short description.
"""

from __future__ import annotations

import io
import itertools
import re
from html import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from jobs.digest_model import DigestData

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text: selectable, searchable, sharp in the PDF
        "svg.hashsalt": "engage-digest",  # stable ids, so the same figures give the same SVG
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
LINE_STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ("-", "v")]
GREYS = ["#0b0c0c", "#505a5f", "#6f777b", "#2e3133", "#8a8f91"]
HATCHES = ["///", "...", "xxx", "\\\\\\", "ooo", "---", "+++"]


_STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')
_ROOT_SIZE = re.compile(r'(?<=<svg)([^>]*?) (?:width|height)="[^"]*"')
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>\s*", re.DOTALL)


def _as_attributes(match: re.Match[str]) -> str:
    pairs = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
    return "".join(f' {name.strip()}="{escape(value.strip())}"' for name, value in pairs)


def _svg(figure: Figure, label: str) -> str:
    """The figure as SVG markup to place in a page, described for screen readers.

    The page's Content-Security-Policy forbids inline styles, and a browser then ignores
    ``style`` attributes: matplotlib's styles become SVG presentation attributes instead.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ATTRIBUTE.sub(_as_attributes, svg)
    # Scale to the column (the viewBox keeps the shape) instead of a fixed size in points.
    for _ in ("width", "height"):
        svg = _ROOT_SIZE.sub(r"\1", svg, count=1)
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{escape(label)}" class="engage-chart__svg" '
        'width="100%" stroke-linejoin="round" stroke-linecap="butt" ',
        1,
    )


def _label_heights(values: list[int], gap: float) -> list[float]:
    """Heights for end-of-line labels: each at its line's end, pushed apart to ``gap``."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    heights = [float(v) for v in values]
    for previous, current in itertools.pairwise(order):
        heights[current] = max(heights[current], heights[previous] + gap)
    return heights


def trend_chart(data: DigestData) -> str:
    """The top themes over the last periods (all concerns when no theme has any)."""
    figure = Figure(figsize=(7.5, 3.4))
    axes = figure.subplots()
    labels = data.trend.periods
    xs = list(range(len(labels)))
    series = list(data.trend.series.items()) or [("All concerns", data.trend.total)]
    top = max((max(counts) for _, counts in series if counts), default=0) or 1
    ends = _label_heights([counts[-1] for _, counts in series], top * 0.08)
    for index, (name, counts) in enumerate(series):
        style, marker = LINE_STYLES[index % len(LINE_STYLES)]
        axes.plot(
            xs,
            counts,
            linestyle=style,
            marker=marker,
            color=GREYS[index % len(GREYS)],
            linewidth=1.6,
            markersize=4,
        )
        axes.annotate(
            f"{name} ({counts[-1]})",
            (xs[-1], counts[-1]),
            xytext=(xs[-1] + 0.4, ends[index]),
            textcoords="data",
            va="center",
            fontsize=8,
        )
    axes.set_xticks(xs, labels, rotation=45, ha="right", fontsize=7)
    axes.set_xlim(-0.3, len(xs) + 2.2)
    axes.set_ylabel("Concerns")
    axes.set_ylim(0, max(top, max(ends)) * 1.1)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    return _svg(
        figure,
        f"Line chart: concerns per {data.period.grain} for the top themes, each line labelled "
        "at its end. The numbers are in the table that follows.",
    )


def heatmap_chart(data: DigestData) -> str:
    heat = data.heatmap
    rows, columns = max(len(heat.districts), 1), max(len(heat.themes), 1)
    figure = Figure(figsize=(max(5.0, 0.75 * columns + 2.5), 0.45 * rows + 2.2))
    axes = figure.subplots()
    cells = heat.cells or [[0]]
    top = max((max(row) for row in cells if row), default=0) or 1
    # Vector cells (not an embedded bitmap), so the PDF stays sharp.
    axes.pcolormesh(cells, cmap="Greys", vmin=0, vmax=top * 1.15, edgecolors="white", linewidth=1.5)
    axes.invert_yaxis()
    for r, row in enumerate(heat.cells):
        for c, value in enumerate(row):
            axes.text(
                c + 0.5,
                r + 0.5,
                str(value),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if value > top * 0.55 else "#0b0c0c",
            )
    axes.set_xticks(
        [c + 0.5 for c in range(len(heat.themes))],
        heat.themes,
        rotation=40,
        ha="right",
        fontsize=7,
    )
    axes.set_yticks([r + 0.5 for r in range(len(heat.districts))], heat.districts, fontsize=8)
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    return _svg(
        figure,
        "Heat map: concerns by district and theme, darker cells have more concerns and each "
        "cell shows its count. The numbers are in the table that follows.",
    )


def channel_chart(data: DigestData) -> str:
    channels = data.channels
    figure = Figure(figsize=(6.5, 0.4 * max(len(channels), 1) + 1.0))
    axes = figure.subplots()
    names = [c.label for c in channels]
    counts = [c.count for c in channels]
    bars = axes.barh(range(len(channels)), counts, color="white", edgecolor="#0b0c0c")
    for index, bar in enumerate(bars):
        bar.set_hatch(HATCHES[index % len(HATCHES)])
        share = channels[index].share
        axes.annotate(
            f"{counts[index]} ({share:.0%})",
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    axes.set_yticks(range(len(channels)), names)
    axes.invert_yaxis()
    axes.set_xlabel("Concerns")
    axes.set_xlim(0, (max(counts) if counts else 1) * 1.3)
    return _svg(
        figure,
        "Bar chart: concerns by channel, each bar labelled with its count and share. "
        "The numbers are in the table that follows.",
    )


def digest_charts(data: DigestData) -> dict[str, str]:
    """SVG markup for each chart, keyed by the table it belongs to."""
    charts = {"trend": trend_chart(data)}
    if data.heatmap.cells:
        charts["heat-map"] = heatmap_chart(data)
    if data.channels:
        charts["channels"] = channel_chart(data)
    return charts
