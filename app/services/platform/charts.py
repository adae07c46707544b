"""Server-side bar charts: the geometry of an inline SVG, drawn by the _chart.html macro.

A chart never stands alone: the macro puts the same figures in a table beside it. Series are told
apart by a fill pattern and a legend, never by colour alone, and every bar carries its value as
text. Nothing here depends on JavaScript or on inline styles (the pages' CSP forbids them).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Number = int | float | Decimal

# The fill patterns a series can have, in the order series get them.
PATTERNS = ("solid", "hatched", "dotted")

LABEL_WIDTH = 200  # room for the category names left of the bars
VALUE_WIDTH = 56  # room for the value text right of the longest bar
BAR_HEIGHT = 18
BAR_GAP = 3  # between the bars of one category
GROUP_GAP = 14  # between categories
LEGEND_LINE = 22  # each series' legend entry on a line of its own: long names fit
LEGEND_GAP = 10
BOTTOM = 8


@dataclass(frozen=True)
class Series:
    """One row of values, one per category; digits is how many decimals to show."""

    name: str
    values: Sequence[Number]
    digits: int = 0


@dataclass(frozen=True)
class Bar:
    """One bar's rectangle and where its value is written."""

    series: int
    value: Number
    digits: int
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float
    pattern: str


@dataclass(frozen=True)
class Group:
    """One category: its name, where the name is written and its bars."""

    label: str
    label_y: float
    bars: list[Bar]


@dataclass(frozen=True)
class LegendEntry:
    """A swatch and the series' name."""

    name: str
    pattern: str
    x: float
    y: float


@dataclass(frozen=True)
class BarChart:
    """Everything the macro needs to draw a horizontal bar chart and its table."""

    chart_id: str
    title: str
    description: str
    categories: list[str]
    series: list[Series]
    width: int
    height: float
    label_width: int
    groups: list[Group] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    category_header: str = ""

    @property
    def patterns(self) -> list[str]:
        """The patterns in use, for the SVG's <defs>."""
        return [PATTERNS[i % len(PATTERNS)] for i in range(len(self.series))]

    def table_rows(self) -> list[tuple[str, list[tuple[Number, int]]]]:
        """(category, [(value, digits) per series]) for the data table."""
        return [
            (name, [(s.values[i], s.digits) for s in self.series])
            for i, name in enumerate(self.categories)
        ]


def horizontal_bar_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 640,
    category_header: str = "",
) -> BarChart:
    """Lay out a horizontal bar chart: one group of bars per category, one bar per series.

    chart_id must be unique on the page (it names the SVG's title, description and patterns).
    Bars share one scale from zero to the largest value; a zero value has no bar but still its
    text "0".
    """
    if not series:
        raise ValueError("a chart needs at least one series")
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values, not {len(categories)}")
        if any(v < 0 for v in s.values):
            raise ValueError("bar lengths cannot be negative")
    largest = max((float(v) for s in series for v in s.values), default=0.0)
    plot_width = width - LABEL_WIDTH - VALUE_WIDTH
    scale = plot_width / largest if largest > 0 else 0.0
    group_height = len(series) * BAR_HEIGHT + (len(series) - 1) * BAR_GAP
    groups = []
    y = float(len(series) * LEGEND_LINE + LEGEND_GAP)
    for i, category in enumerate(categories):
        bars = []
        for n, s in enumerate(series):
            value = s.values[i]
            bar_y = y + n * (BAR_HEIGHT + BAR_GAP)
            length = round(float(value) * scale, 1)
            bars.append(
                Bar(
                    series=n,
                    value=value,
                    digits=s.digits,
                    x=LABEL_WIDTH,
                    y=bar_y,
                    width=length,
                    height=BAR_HEIGHT,
                    text_x=LABEL_WIDTH + length + 4,
                    text_y=bar_y + BAR_HEIGHT - 5,
                    pattern=PATTERNS[n % len(PATTERNS)],
                )
            )
        groups.append(Group(label=category, label_y=y + group_height / 2 + 5, bars=bars))
        y += group_height + GROUP_GAP
    legend = [
        LegendEntry(
            name=s.name, pattern=PATTERNS[n % len(PATTERNS)], x=0.0, y=2.0 + n * LEGEND_LINE
        )
        for n, s in enumerate(series)
    ]
    return BarChart(
        chart_id=chart_id,
        title=title,
        description=description,
        categories=list(categories),
        series=list(series),
        width=width,
        height=y - GROUP_GAP + BOTTOM,
        label_width=LABEL_WIDTH,
        groups=groups,
        legend=legend,
        category_header=category_header,
    )
