"""A report laid out for people: headline figures, chart data and tables. No Qt here.

The screen, the CSV files and the PDF all read the same `ReportDocument`, so the numbers they
show are the same numbers. Charts are data only; `desk.ui.reports.charts` draws them with Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from desk.domain.money import Money, exponent

ColumnKind = Literal["text", "int", "decimal", "percent", "points", "money", "date", "datetime"]
NUMERIC_KINDS = frozenset({"int", "decimal", "percent", "points", "money"})
NONE_TEXT = "–"


@dataclass(frozen=True)
class Column:
    header: str
    kind: ColumnKind
    get: Callable[[Any], Any]
    #: What the figure means, shown as the header's tooltip.
    tip: str = ""
    #: Only in CSV (e.g. the currency code, which the screen shows inside the amount).
    export_only: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


def display(value: Any, kind: ColumnKind) -> str:
    """How a value reads on screen and in the PDF."""
    if value is None:
        return NONE_TEXT
    if kind == "int":
        return f"{value:,}"
    if kind == "decimal":
        return f"{value:,.1f}"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "points":
        return f"{value * 100:+.1f} pts"
    if kind == "money":
        return str(value.format())
    if kind == "date":
        return f"{value:%a %d %b %Y}"
    if kind == "datetime":
        return f"{value:%a %d %b %Y %H:%M}"
    return str(value)


def export(value: Any, kind: ColumnKind) -> str:
    """How a value is written to CSV: plain numbers a spreadsheet reads, ISO dates."""
    if value is None:
        return ""
    if kind in ("percent", "points"):
        return f"{value * 100:.1f}"
    if kind == "decimal":
        return f"{value:.2f}"
    if kind == "money":
        money: Money = value
        exp = exponent(money.currency)
        return f"{Decimal(money.minor).scaleb(-exp):.{exp}f}"
    if kind == "date":
        return value.isoformat()  # type: ignore[no-any-return]
    if kind == "datetime":
        return value.strftime("%Y-%m-%d %H:%M")  # type: ignore[no-any-return]
    return str(value)


def sort_key(value: Any, kind: ColumnKind) -> Any:
    """A key that sorts a column the way its meaning says (numbers as numbers, empty first)."""
    if kind in NUMERIC_KINDS:
        if value is None:
            return float("-inf")
        return float(value.minor if kind == "money" else value)
    if kind in ("date", "datetime"):
        return "" if value is None else value.isoformat()
    return "" if value is None else str(value).casefold()


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Any, ...]
    #: One line under the title: what the table counts and as of when.
    note: str = ""
    empty_text: str = "Nothing to show for this range."
    #: Short caption for a tab on screen; the title when empty.
    tab: str = ""

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.export_only)

    def value(self, row: int, column: Column) -> Any:
        return column.get(self.rows[row])

    def text(self, row: int, column: Column) -> str:
        return display(self.value(row, column), column.kind)

    def column(self, header: str) -> Column:
        for column in self.columns:
            if column.header == header:
                return column
        raise KeyError(header)


@dataclass(frozen=True)
class Figure:
    """A headline number: "Fill rate  74.5%  (312 classes)"."""

    label: str
    value: str
    note: str = ""
    tone: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


ChartUnit = Literal["percent", "count", "money"]


@dataclass(frozen=True)
class _SeriesChart:
    """Named series of values over categories (services, weeks), read on one value axis."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: ChartUnit
    currency: str = ""
    #: Short caption for a tab ("By service"); the title when empty.
    tab: str = ""


@dataclass(frozen=True)
class BarChart(_SeriesChart):
    pass


@dataclass(frozen=True)
class LineChart(_SeriesChart):
    pass


@dataclass(frozen=True)
class Heatmap:
    """Rates (0..1) per row × column; `labels` is the small text in each cell ("7/8")."""

    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]
    labels: tuple[tuple[str, ...], ...]
    caption: str = ""
    #: True when a high value is bad news (no-show rate), so the colours run the other way.
    high_is_bad: bool = False
    tab: str = ""


Chart = BarChart | LineChart | Heatmap


@dataclass(frozen=True)
class ReportDocument:
    kind: str
    title: str
    studio: str
    date_from: date
    date_to: date
    timezone: str
    generated_at: datetime
    figures: tuple[Figure, ...]
    charts: tuple[Chart, ...]
    tables: tuple[Table, ...]
    #: Filters and "as of" notes: "Trainer: Ayşe · balances as of 31 Mar 2024".
    scope: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: The table `desk report --format csv --out FILE` writes to FILE itself.
    main: str = ""

    @property
    def range_text(self) -> str:
        if self.date_from == self.date_to:
            return f"{self.date_from:%a %d %b %Y}"
        return f"{self.date_from:%d %b %Y} – {self.date_to:%d %b %Y}"

    @property
    def summary(self) -> Table:
        return Table(
            "summary",
            "Summary",
            (
                Column("Figure", "text", lambda f: f.label),
                Column("Value", "text", lambda f: f.value),
                Column("Note", "text", lambda f: f.note),
            ),
            self.figures,
        )

    @property
    def main_table(self) -> Table:
        return self.table(self.main) if self.main else self.tables[0]

    def table(self, slug: str) -> Table:
        for table in (*self.tables, self.summary):
            if table.slug == slug:
                return table
        raise KeyError(slug)
