"""Server-side bar charts: the geometry of an inline SVG, drawn by the _chart.html macro.

A chart never stands alone: the macro puts the same figures in a table beside it. Series are told
apart by a fill pattern and a legend, never by colour alone, and every bar carries its value as
text. Nothing here depends on JavaScript or on inline styles (the pages' CSP forbids them).

Every chart is laid out twice: WIDE, with the category names in a column left of the bars, and
NARROW, for a phone, with each name above its bars. The page shows one of them (a CSS media
query), and either scales down to its container. No text may run past the edge of the drawing:
the room for the names and for the values is measured from the texts themselves, with
text_width(), a generous estimate of how wide a text is drawn; a name longer than its room is
wrapped onto several lines, and at worst shortened with "…" (the table beside has it in full).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from app.jinja import fmt_number

Number = int | float | Decimal

# The fill patterns a series can have, in the order series get them.
PATTERNS = ("solid", "hatched", "dotted")

WIDE = 640  # the width of the wide drawing, in SVG units (CSS px when drawn at full size)
NARROW = 320  # the width of the phone's drawing
FONT_SIZE = 14  # .chart__text in app.css
LINE_HEIGHT = 18  # between the lines of a wrapped name
ASCENT = 0.95 * FONT_SIZE  # how far a text may reach above its baseline (accents included)
DESCENT = 0.3 * FONT_SIZE  # and below it
MAX_LABEL_SHARE = 0.4  # the name column of the wide drawing takes at most this share
MAX_LINES = 4  # a name never takes more lines than this
LABEL_GAP = 8  # between a name and the axis
VALUE_GAP = 4  # between a bar and its value
EDGE = 4  # kept free at the right edge
INDENT = 2  # before a name above its bars (a glyph may reach left of where its text starts)
MIN_PLOT = 60  # the bars always have at least this much room
BAR_HEIGHT = 18
BAR_GAP = 3  # between the bars of one category
GROUP_GAP = 14  # between categories
SWATCH = 16  # the legend's pattern sample
SWATCH_GAP = 6  # between the sample and the series' name
LEGEND_LINE = 22  # each series' legend entry on a line of its own: long names fit
LEGEND_GAP = 10
BOTTOM = 8
ELLIPSIS = "…"

# Advance widths in ems, on the wide side of common sans-serif faces (DejaVu Sans, the widest
# of the usual system-ui fonts, is the measure): an estimate that errs towards too wide, so that a
# text given its estimated room never runs past it.
_NARROW_CHARS = frozenset("fijlrtI.,:;'!|()[]{} \u00a0\u202f-")
_WIDE_CHARS = frozenset("mwMW@%—")
BOLD = 1.1  # bold text (the values) is this much wider


def _char_em(char: str) -> float:
    if char in _NARROW_CHARS:
        return 0.42
    if char in _WIDE_CHARS:
        return 1.0
    if char.isdigit() or char in "€+−–$#=<>":
        return 0.66
    if char.isalpha() and char.isupper():
        return 0.8
    if char.isalpha() and char.islower():
        return 0.64
    return 0.9


def text_width(text: str, *, bold: bool = False, font_size: float = FONT_SIZE) -> float:
    """The estimated drawn width of a text, in the units of the drawing."""
    width = sum(_char_em(c) for c in text) * font_size
    return width * BOLD if bold else width


def _shorten(text: str, room: float) -> str:
    """The text cut to fit the room, with "…" at the end."""
    while text and text_width(text + ELLIPSIS) > room:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def wrap(text: str, room: float, max_lines: int = MAX_LINES) -> list[str]:
    """The text in lines that each fit the room: broken between words, a word too long for a
    line of its own shortened with "…", and the last line shortened when more would be needed."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate) <= room:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word if text_width(word) <= room else _shorten(word, room)
    if current or not lines:
        lines.append(current)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = lines[: max_lines - 1] + [_shorten(rest, room)]
    return lines


@dataclass(frozen=True)
class Series:
    """One row of values, one per category; digits is how many decimals to show."""

    name: str
    values: Sequence[Number]
    digits: int = 0


@dataclass(frozen=True)
class Text:
    """One line of text: where its baseline starts (anchor "start") or ends (anchor "end")."""

    text: str
    x: float
    y: float
    anchor: str = "start"


@dataclass(frozen=True)
class Bar:
    """One bar's rectangle and where its value is written."""

    series: int
    value: Number
    digits: int
    text: str  # the value as written, in the current language
    x: float
    y: float
    width: float
    height: float
    text_x: float
    text_y: float
    pattern: str


@dataclass(frozen=True)
class Group:
    """One category: its name, the lines the name is written on and its bars."""

    label: str
    lines: list[Text]
    bars: list[Bar]
    axis: tuple[float, float, float]  # x, top and bottom of the axis line beside the bars

    @property
    def label_y(self) -> float:
        """The baseline of the name's first line."""
        return self.lines[0].y


@dataclass(frozen=True)
class LegendEntry:
    """A swatch and the series' name (on one or more lines)."""

    name: str
    pattern: str
    x: float
    y: float
    lines: list[Text] = field(default_factory=list)


@dataclass(frozen=True)
class Layout:
    """One drawing of the chart: its size, groups of bars and legend."""

    width: int
    height: float
    label_width: float  # where the bars start
    groups: list[Group]
    legend: list[LegendEntry]
    stacked: bool  # names above the bars (the narrow drawing)

    @property
    def axes(self) -> list[tuple[float, float, float]]:
        """The axis lines to draw: one along every bar of a wide drawing, one per group in a
        narrow one (so that no line crosses the names above the bars)."""
        if not self.groups:
            return []
        if self.stacked:
            return [g.axis for g in self.groups]
        return [(self.groups[0].axis[0], self.groups[0].axis[1], self.groups[-1].axis[2])]


@dataclass(frozen=True)
class BarChart:
    """Everything the macro needs to draw a horizontal bar chart and its table."""

    chart_id: str
    title: str
    description: str
    categories: list[str]
    series: list[Series]
    wide: Layout
    narrow: Layout
    category_header: str = ""

    # The wide drawing's measures, for whoever reads the chart as one drawing.
    @property
    def width(self) -> int:
        return self.wide.width

    @property
    def height(self) -> float:
        return self.wide.height

    @property
    def label_width(self) -> float:
        return self.wide.label_width

    @property
    def groups(self) -> list[Group]:
        return self.wide.groups

    @property
    def legend(self) -> list[LegendEntry]:
        return self.wide.legend

    @property
    def layouts(self) -> list[tuple[str, Layout]]:
        """(name, layout) of both drawings, the name a suffix for the ids in each."""
        return [("wide", self.wide), ("narrow", self.narrow)]

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


def _legend(series: Sequence[Series], width: float) -> tuple[list[LegendEntry], float]:
    """The legend's entries, one per series on a line (or more) of its own, and its height."""
    entries = []
    y = 2.0
    text_x = SWATCH + SWATCH_GAP
    for n, s in enumerate(series):
        names = wrap(s.name, width - text_x - EDGE)
        lines = [Text(line, text_x, y + 13 + i * LINE_HEIGHT) for i, line in enumerate(names)]
        entries.append(LegendEntry(s.name, PATTERNS[n % len(PATTERNS)], 0.0, y, lines))
        y += max(LEGEND_LINE, len(names) * LINE_HEIGHT + 4)
    return entries, y - 2.0


def _layout(
    categories: Sequence[str],
    series: Sequence[Series],
    texts: list[list[str]],
    width: int,
    *,
    stacked: bool,
) -> Layout:
    """Lay the chart out in a drawing of the given width."""
    legend, legend_height = _legend(series, width)
    value_room = max((text_width(t, bold=True) for column in texts for t in column), default=0.0)
    value_room += VALUE_GAP + EDGE
    if stacked:
        label_room = float(width - INDENT - EDGE)
        label_width = 1.0
    else:
        # As wide as the longest name, but at most a share of the drawing, and never so wide
        # that the bars are left too little room.
        longest = max((text_width(c) for c in categories), default=0.0)
        label_room = min(longest, MAX_LABEL_SHARE * width - LABEL_GAP)
        label_room = min(label_room, max(width - value_room - MIN_PLOT - LABEL_GAP, 40.0))
        label_width = math.ceil((label_room + LABEL_GAP) * 10) / 10
    plot_width = max(width - label_width - value_room, 0.0)
    largest = max((float(v) for s in series for v in s.values), default=0.0)
    scale = plot_width / largest if largest > 0 else 0.0
    bars_height = len(series) * BAR_HEIGHT + (len(series) - 1) * BAR_GAP
    groups = []
    y = legend_height + LEGEND_GAP
    for i, category in enumerate(categories):
        names = wrap(category, label_room)
        names_height = len(names) * LINE_HEIGHT
        if stacked:
            lines = [Text(line, INDENT, y + 14 + k * LINE_HEIGHT) for k, line in enumerate(names)]
            bars_top = y + names_height + 2
            group_height = names_height + 2 + bars_height
        else:
            group_height = max(bars_height, names_height)
            first = y + (group_height - names_height) / 2 + 14
            lines = [
                Text(line, label_width - LABEL_GAP, first + k * LINE_HEIGHT, "end")
                for k, line in enumerate(names)
            ]
            bars_top = y + (group_height - bars_height) / 2
        bars = []
        for n, s in enumerate(series):
            value = s.values[i]
            bar_y = bars_top + n * (BAR_HEIGHT + BAR_GAP)
            length = round(float(value) * scale, 1)
            bars.append(
                Bar(
                    series=n,
                    value=value,
                    digits=s.digits,
                    text=texts[n][i],
                    x=label_width,
                    y=bar_y,
                    width=length,
                    height=BAR_HEIGHT,
                    text_x=round(label_width + length + VALUE_GAP, 1),
                    text_y=bar_y + BAR_HEIGHT - 5,
                    pattern=PATTERNS[n % len(PATTERNS)],
                )
            )
        axis = (label_width, bars_top - 4, bars_top + bars_height + 4)
        groups.append(Group(label=category, lines=lines, bars=bars, axis=axis))
        y += group_height + GROUP_GAP
    return Layout(
        width=width,
        height=y - GROUP_GAP + BOTTOM,
        label_width=label_width,
        groups=groups,
        legend=legend,
        stacked=stacked,
    )


def horizontal_bar_chart(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = WIDE,
    narrow_width: int = NARROW,
    category_header: str = "",
) -> BarChart:
    """Lay out a horizontal bar chart: one group of bars per category, one bar per series.

    chart_id must be unique on the page (it names the SVG's title, description and patterns).
    Bars share one scale from zero to the largest value; a zero value has no bar but still its
    text "0". The values are written in the current language.
    """
    if not series:
        raise ValueError("a chart needs at least one series")
    for s in series:
        if len(s.values) != len(categories):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values, not {len(categories)}")
        if any(v < 0 for v in s.values):
            raise ValueError("bar lengths cannot be negative")
    texts = [[fmt_number(v, s.digits) for v in s.values] for s in series]
    return BarChart(
        chart_id=chart_id,
        title=title,
        description=description,
        categories=list(categories),
        series=list(series),
        wide=_layout(categories, series, texts, width, stacked=False),
        narrow=_layout(categories, series, texts, narrow_width, stacked=True),
        category_header=category_header,
    )
