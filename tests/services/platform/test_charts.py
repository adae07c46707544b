"""The bar chart builder and its macro: proportional bars, values in text, a table beside."""

import re
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal

import pytest

from app import i18n
from app.jinja import env, fmt_number
from app.services.platform import charts


@pytest.fixture(autouse=True)
def english():
    """Numbers and messages in English."""
    with i18n.use_language("en"):
        yield


def two_series() -> charts.BarChart:
    return charts.horizontal_bar_chart(
        "test-chart",
        "Items by kind",
        "A bar chart; the same figures are in the table.",
        ["Initiative", "Planning", "Evaluation"],
        [
            charts.Series("Koivukuja", [4, 2, 0]),
            charts.Series("Company average", [Decimal("2.0"), Decimal("1.5"), Decimal("0.3")], 1),
        ],
        category_header="Kind",
    )


@pytest.mark.parametrize("name", ["wide", "narrow"])
def test_bars_share_one_scale_from_zero(name):
    layout = dict(two_series().layouts)[name]
    bars = [bar for group in layout.groups for bar in group.bars]
    longest = max(bars, key=lambda b: b.width)
    assert longest.value == 4
    # The longest bar and the room for the widest value fill the drawing up to its edge.
    widest = max(charts.text_width(bar.text, bold=True) for bar in bars)
    assert longest.text_x + widest == pytest.approx(layout.width - charts.EDGE, abs=0.2)
    half = layout.groups[0].bars[1]
    assert half.width == pytest.approx(longest.width / 2, abs=0.1)
    zero = layout.groups[2].bars[0]
    assert zero.width == 0 and zero.text_x > layout.label_width
    # The value text sits just right of its bar.
    assert all(bar.text_x == pytest.approx(bar.x + bar.width + 4) for bar in bars)


def test_series_differ_by_pattern_and_bars_do_not_overlap():
    chart = two_series()
    assert chart.patterns == ["solid", "hatched"]
    assert [entry.name for entry in chart.legend] == ["Koivukuja", "Company average"]
    tops = sorted(bar.y for group in chart.groups for bar in group.bars)
    assert all(b - a >= charts.BAR_HEIGHT for a, b in zip(tops, tops[1:], strict=False))
    assert chart.height > tops[-1] + charts.BAR_HEIGHT


def test_all_zero_values_draw_no_bars():
    chart = charts.horizontal_bar_chart("z", "t", "d", ["a", "b"], [charts.Series("s", [0, 0])])
    assert all(bar.width == 0 for group in chart.groups for bar in group.bars)


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        charts.horizontal_bar_chart("x", "t", "d", ["a", "b"], [charts.Series("s", [1])])
    with pytest.raises(ValueError):
        charts.horizontal_bar_chart("x", "t", "d", ["a"], [charts.Series("s", [-1])])
    with pytest.raises(ValueError):
        charts.horizontal_bar_chart("x", "t", "d", ["a"], [])


def render(chart: charts.BarChart) -> str:
    template = env.from_string('{% from "_chart.html" import bar_chart %}{{ bar_chart(chart) }}')
    return template.render(chart=chart)


def test_the_macro_draws_an_accessible_svg_and_a_table():
    html = render(two_series())
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="test-chart-title test-chart-desc"' in svg
    assert '<title id="test-chart-title">Items by kind</title>' in svg
    assert '<desc id="test-chart-desc">' in svg
    assert 'fill="url(#test-chart-hatched)"' in svg and 'id="test-chart-hatched"' in svg
    # Every value is written out, and the legend names the series.
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert {"4", "2", "0", "2.0", "1.5", "0.3", "Koivukuja", "Company average"} <= set(texts)
    # The zero bar is not drawn (only its "0"); the other five are, after two legend swatches.
    assert svg.count("<rect x=") == 2 + 5
    assert "style=" not in html  # the CSP allows no inline styles
    table = html[html.index("<table") : html.index("</table>")]
    assert '<caption id="test-chart-caption">Items by kind</caption>' in table
    # The table scrolls in a region of its own, named by the caption.
    assert 'role="region" tabindex="0" aria-labelledby="test-chart-caption"' in html
    assert '<th scope="col">Kind</th>' in table
    assert '<th scope="col">Company average</th>' in table
    assert '<th scope="row">Evaluation</th>' in table
    assert ">0.3</td>" in table


def test_labels_are_escaped():
    chart = charts.horizontal_bar_chart(
        "e", "<b>t</b>", "d", ["<script>x</script>"], [charts.Series("a&b", [1])]
    )
    html = render(chart)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "a&amp;b" in html


SVG = "{http://www.w3.org/2000/svg}"


def drawings(html: str) -> list[ET.Element]:
    """Every <svg> of the HTML, parsed."""
    found = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
    return [ET.fromstring(svg) for svg in found]  # noqa: S314 - our own rendering


def outside_the_viewbox(svg: ET.Element) -> list[str]:
    """The texts and rectangles of the drawing that reach past its viewBox, by the chart's own
    estimate of how wide a text is drawn."""
    _x, _y, width, height = (float(v) for v in svg.attrib["viewBox"].split())
    found = []
    for text in svg.iter(f"{SVG}text"):
        content = text.text or ""
        drawn = charts.text_width(content, bold="chart__value" in text.attrib["class"])
        x, y = float(text.attrib["x"]), float(text.attrib["y"])
        left = x - drawn if text.attrib.get("text-anchor") == "end" else x
        top, bottom = y - charts.ASCENT, y + charts.DESCENT
        if left < 0 or left + drawn > width or top < 0 or bottom > height:
            found.append(
                f"{content!r} at x {left:.1f}–{left + drawn:.1f}, y {top:.1f}–{bottom:.1f}"
            )
    for rect in svg.iter(f"{SVG}rect"):
        if "x" not in rect.attrib:  # a pattern's tile
            continue
        x, y = float(rect.attrib["x"]), float(rect.attrib["y"])
        right, bottom = x + float(rect.attrib["width"]), y + float(rect.attrib["height"])
        if x < 0 or y < 0 or right > width or bottom > height:
            found.append(f"rect at {x}, {y}")
    return found


LONG_LABEL = (
    "Houses of the same age, built 1980–1999 (average), over the twelve houses of the district"
)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_long_labels_and_six_digit_values_stay_inside_the_drawing(lang):
    with i18n.use_language(lang):
        chart = charts.horizontal_bar_chart(
            "money",
            "Budget and actual",
            "d",
            ["Heating", LONG_LABEL, "Lämmitysenergiankulutusseurantajärjestelmä", "Water"],
            [
                charts.Series("Budget", [241537, 98000, 5, 0]),
                charts.Series("Actual to date, the company's own long name of it", [1, 0, 0, 2]),
                charts.Series("Ratio", [Decimal("123456.78"), 0, 0, 0], digits=2),
            ],
        )
        html = render(chart)
    svgs = drawings(html)
    assert len(svgs) == 2  # the wide drawing and the phone's
    for svg in svgs:
        texts = [t.text for t in svg.iter(f"{SVG}text")]
        assert fmt(lang, 241537) in texts and fmt(lang, 123456.78, 2) in texts, texts
        assert outside_the_viewbox(svg) == []
    # The long name is wrapped, not cut short, and is whole in the table beside.
    wide, narrow = svgs
    wide_lines = [t.text or "" for t in wide.iter(f"{SVG}text") if t.attrib.get("text-anchor")]
    assert " ".join(wide_lines).count("Houses of the same age") == 1
    assert any(line.endswith("district") for line in wide_lines), wide_lines
    assert f'<th scope="row">{LONG_LABEL}</th>' in html
    # A single word too long for a line of its own is shortened, with "…".
    assert any((t.text or "").endswith("…") for t in narrow.iter(f"{SVG}text"))
    # The wide drawing keeps the bars at least MIN_PLOT wide: the names cannot crowd them out.
    assert chart.wide.label_width <= charts.MAX_LABEL_SHARE * charts.WIDE


def fmt(lang, value, digits=0):
    with i18n.use_language(lang):
        return fmt_number(value, digits)


def test_the_value_room_grows_with_the_values():
    small = charts.horizontal_bar_chart("s", "t", "d", ["a"], [charts.Series("s", [9])])
    large = charts.horizontal_bar_chart("l", "t", "d", ["a"], [charts.Series("s", [999999])])
    assert large.groups[0].bars[0].width < small.groups[0].bars[0].width
    for chart in (small, large):
        bar = chart.groups[0].bars[0]
        assert bar.text_x + charts.text_width(bar.text, bold=True) <= chart.width


def test_the_label_column_is_as_wide_as_the_longest_name():
    short = charts.horizontal_bar_chart("s", "t", "d", ["ab", "c"], [charts.Series("s", [1, 2])])
    assert short.label_width == pytest.approx(charts.text_width("ab") + charts.LABEL_GAP, abs=0.1)
    assert [line.text for line in short.groups[0].lines] == ["ab"]


def test_wrap_breaks_between_words_and_shortens_what_cannot_fit():
    room = charts.text_width("aaaa bbbb")
    assert charts.wrap("aaaa bbbb cccc", room) == ["aaaa bbbb", "cccc"]
    assert charts.wrap("", room) == [""]
    shortened = charts.wrap("abcdefghijklmnopqrstuvwxyz", room)
    assert len(shortened) == 1 and shortened[0].endswith("…")
    assert charts.text_width(shortened[0]) <= room
    many = charts.wrap(" ".join(["word"] * 40), room, max_lines=3)
    assert len(many) == 3 and many[-1].endswith("…")
    assert all(charts.text_width(line) <= room for line in many)


def test_both_drawings_have_ids_of_their_own_and_one_table():
    html = render(two_series())
    ids = Counter(re.findall(r'\bid="([^"]+)"', html))
    assert [name for name, n in ids.items() if n > 1] == []
    assert 'aria-labelledby="test-chart-narrow-title test-chart-narrow-desc"' in html
    assert 'fill="url(#test-chart-narrow-hatched)"' in html
    assert html.count("<table") == 1
    assert 'class="chart__svg chart__svg--wide"' in html
    assert 'class="chart__svg chart__svg--narrow"' in html
