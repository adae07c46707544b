"""House finances as tables, charts and CSV files, cut to what the viewer may see."""

import csv
import io
import re
from decimal import Decimal

from app.i18n import _, get_language, ngettext
from app.services.finances.comparison import Comparison, HouseSummary
from app.services.finances.figures import HouseYear
from app.services.platform import charts
from app.services.platform.csv_writing import safe_cell

# A number this module wrote itself: a spreadsheet reads it as a number, never as a formula.
NUMBER = re.compile(r"-?[0-9]+(,[0-9]+)?")


def _money(value: Decimal | None) -> str:
    """A Finnish-style number for a spreadsheet: decimal comma, no thousands separator."""
    return "" if value is None else str(value).replace(".", ",")


def to_csv(table: list[list[str]]) -> bytes:
    """Semicolon-separated, with a BOM (Excel reads it as UTF-8), formula cells escaped."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in table:
        writer.writerow([cell if NUMBER.fullmatch(cell) else safe_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def house_table(year: HouseYear, monthly: bool) -> list[list[str]]:
    """The house's year per cost group: budget, actual, deviation (and the months if allowed)."""
    lang = get_language()
    head = [_("Cost group"), _("Budget"), _("Actual"), _("Deviation")]
    if monthly:
        head += [f"{year.year}-{m:02d}" for m in range(1, 13)]
    table = [head]
    for row in year.rows:
        line = [
            row.group.name(lang),
            _money(row.budget),
            _money(row.actual),
            _money(row.deviation),
        ]
        if monthly:
            line += [_money(m) for m in row.months]
        table.append(line)
    return table


def overview_table(rows: list[HouseSummary]) -> list[list[str]]:
    """Every house's year in a line, for management."""
    table = [
        [
            _("House code"),
            _("House"),
            _("District"),
            _("Budget"),
            _("Budget to date"),
            _("Actual"),
            _("Deviation"),
            _("Deviation percentage"),
            _("€/m²/month"),
        ]
    ]
    for r in rows:
        table.append(
            [
                r.house.code,
                r.house.name,
                r.house.district,
                _money(r.budget),
                _money(r.budget_to_date),
                _money(r.actual),
                _money(r.deviation),
                _money(r.deviation_percent),
                _money(r.per_m2),
            ]
        )
    return table


def budget_chart(year: HouseYear) -> charts.BarChart | None:
    """Budget against actual to date per maintenance and capital cost group."""
    lang = get_language()
    rows = [r for r in year.rows if r.group.kind != "income" and (r.budget or r.actual)]
    if not rows:
        return None
    return charts.horizontal_bar_chart(
        "finance-budget",
        _("Budget and actual by cost group"),
        _("Bars for the budget and the actual amount to date of each cost group, in euros."),
        [r.group.name(lang) for r in rows],
        [
            charts.Series(_("Budget"), [max(r.budget or Decimal(0), Decimal(0)) for r in rows]),
            charts.Series(_("Actual"), [max(r.actual, Decimal(0)) for r in rows]),
        ],
        category_header=_("Cost group"),
    )


def age_band_label(band: tuple[int | None, int | None]) -> str:
    """An age band in words, e.g. "built 1980–1999"."""
    first, last = band
    if first is None and last is not None:
        return _("built before %(year)s", year=last + 1)
    if last is None and first is not None:
        return _("built in %(year)s or later", year=first)
    return _("built %(first)s–%(last)s", first=first, last=last)


def comparison_rows(
    comparison: Comparison, house_name: str
) -> list[tuple[str, Decimal | None, int | None]]:
    """The comparison's lines: label, €/m²/month and the number of houses averaged."""
    return [
        (house_name, comparison.house, None),
        (
            _("Houses in the same district (average)"),
            comparison.district,
            comparison.district_houses,
        ),
        (
            _(
                "Houses of the same age, %(band)s (average)",
                band=age_band_label(comparison.age_band),
            ),
            comparison.age,
            comparison.age_houses,
        ),
        (_("Company average"), comparison.company, comparison.company_houses),
    ]


def comparison_chart(comparison: Comparison, house_name: str) -> charts.BarChart | None:
    """€/m²/month of maintenance costs: the house, its district, its age band and the company."""
    shown = [
        (
            label
            if n is None
            else ngettext(
                "%(label)s (%(num)s house)", "%(label)s (%(num)s houses)", n, label=label
            ),
            value,
        )
        for label, value, n in comparison_rows(comparison, house_name)
        if value is not None
    ]
    if not shown:
        return None
    return charts.horizontal_bar_chart(
        "finance-comparison",
        _("Maintenance costs, €/m² per month"),
        _("The house's maintenance costs per m² per month against similar houses and the company."),
        [label for label, _value in shown],
        [charts.Series(_("€/m²/month"), [value for _label, value in shown], digits=2)],
        category_header=_("Compared with"),
    )
