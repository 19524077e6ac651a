"""The pack's small chart for each theme: concerns per month of the evidence period.

Drawn like the digests' charts (``engage.reports.charts``): SVG, hatched bars in black and
white, each labelled with its number. A month with fewer than 5 concerns gets no bar, only
the words "fewer than 5", so the picture never gives away what the table hides.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from engage.reports.charts import _svg
from engage.services.panel_pack import SMALL_NUMBER, ThemeFigures


def theme_months_chart(figures: ThemeFigures) -> str:
    months = figures.months
    shown = [0 if count.suppressed else count.value for _, count in months]
    figure = Figure(figsize=(4.2, 0.42 * max(len(months), 1) + 0.8))
    axes = figure.subplots()
    bars = axes.barh(range(len(months)), shown, color="white", edgecolor="#0b0c0c", hatch="///")
    top = max(shown, default=0) or SMALL_NUMBER
    for bar, (_, count) in zip(bars, months, strict=True):
        axes.annotate(
            count.shown,
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    axes.set_yticks(range(len(months)), [label for label, _ in months], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, top * 1.45)
    # Every bar carries its number; a scale would only hint at the hidden ones.
    axes.xaxis.set_visible(False)
    axes.spines["bottom"].set_visible(False)
    return _svg(
        figure,
        f"Bar chart: {figures.name} concerns in each month of the period. "
        "The numbers are in the table that follows.",
    )


def pack_charts(themes: list[ThemeFigures]) -> dict[str, str]:
    """Charts for the themes with enough concerns to draw; a chart of hidden bars says nothing."""
    return {f.theme: theme_months_chart(f) for f in themes if not f.count.suppressed}
