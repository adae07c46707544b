"""The bar chart builder and its macro: proportional bars, values in text, a table beside."""

import re
from decimal import Decimal

import pytest

from app import i18n
from app.jinja import env
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


def test_bars_share_one_scale_from_zero():
    chart = two_series()
    bars = [bar for group in chart.groups for bar in group.bars]
    plot = chart.width - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    longest = max(bars, key=lambda b: b.width)
    assert longest.value == 4 and longest.width == plot
    half = chart.groups[0].bars[1]
    assert half.width == pytest.approx(plot / 2, abs=0.1)
    zero = chart.groups[2].bars[0]
    assert zero.width == 0 and zero.text_x > charts.LABEL_WIDTH
    # The value text sits just right of its bar.
    assert all(bar.text_x == bar.x + bar.width + 4 for bar in bars)


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
    assert "<caption>Items by kind</caption>" in table
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
