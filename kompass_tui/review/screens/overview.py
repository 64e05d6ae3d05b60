"""The municipality's overview in the review: the figures of ``kompass stats`` for a period,
with charts drawn in the terminal, the overdue records one key away, and the same overview
saved as a report (an HTML page, :mod:`kompass_tui.exchange.overview_report`).

The sections and their rows come from :func:`~kompass_tui.exchange.overview_report.overview_sections`,
which the report reads too: this screen only lays them out, a table for each section and a
chart for each section that has one. The figures name nobody, so reading them is not audited.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import ClassVar, Final, TypeVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult, RenderResult
from textual.binding import BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Select
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from kompass_tui.exchange.overview_report import (
    Chart,
    Point,
    Row,
    Section,
    number,
    overview_sections,
    period_text,
    ticks,
    write_overview,
)
from kompass_tui.i18n import N_, _, current
from kompass_tui.review.host import ReviewHost
from kompass_tui.review.screens.record_list import Preset, RecordListScreen
from kompass_tui.storage import review
from kompass_tui.storage.deadlines import Deadlines
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.stats import Period, Stats, figures
from kompass_tui.storage.status import Status
from kompass_tui.widgets import bidi
from kompass_tui.widgets.background import in_background
from kompass_tui.widgets.dialog import Dialog, DialogBox
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.visual import Button, Input, Label, Static
from sporreskjema.text import shown


def _weeks_back(today: dt.date, weeks: int) -> Period:
    """This week and the ``weeks - 1`` before it, whole weeks from their Mondays: the chart
    of weeks has as many bars as the period's name says."""
    monday = today - dt.timedelta(days=today.weekday())
    return Period(monday - dt.timedelta(weeks=weeks - 1), today)


#: The periods offered: key → their name, and the period as of a day (the review's today).
PERIODS: Final[dict[str, tuple[str, Callable[[dt.date], Period]]]] = {
    "4w": (N_("Last 4 weeks"), lambda today: _weeks_back(today, 4)),
    "12w": (N_("Last 12 weeks"), lambda today: _weeks_back(today, 12)),
    "year": (N_("This year"), lambda today: Period(dt.date(today.year, 1, 1), today)),
    "all": (N_("Everything"), lambda today: Period()),
}
DEFAULT_PERIOD: Final = "12w"
#: The bars a chart of kinds has room for at 80×24; the rest are summed in the last one.
CHART_BARS: Final = 7
#: A label beside a lying bar is cut to this many characters (the table has it whole).
LABEL_WIDTH: Final = 14


def overdue_records(today: dt.date, deadlines: Deadlines = review.LAW) -> Preset:
    """The records still in progress whose survey deadline (the municipality's) has passed,
    as a list to open: those the figures count as overdue now, whenever they were begun."""
    return Preset(
        _("Overdue records"),
        review.ListQuery(
            statuses=frozenset({Status.in_progress}),
            permit_before=deadlines.survey_late_before(today),
        ),
    )


class OverviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "back"),
        ("p", "period"),
        ("d", "overdue"),
        ("s", "save"),
        ("f5", "reload"),
    ]
    #: Three charts and tables side by side from 100 columns, two below (review.tcss). Not a
    #: ClassVar: Textual's own annotation makes it an instance variable to mypy.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012

    review_app = Host(ReviewHost)

    def __init__(self) -> None:
        super().__init__()
        #: The figures shown (None until the first are read).
        self.stats: Stats | None = None
        #: The period being read (off the event loop), and the one to read after it.
        self._reading: Period | None = None
        self._read_next: Period | None = None

    def compose(self) -> ComposeResult:
        yield Label(
            Text(
                _("Kompass — overview · %(name)s")
                % {"name": shown(self.review_app.caseworker.full_name)}
            ),
            id="overview-title",
        )
        with Horizontal(id="overview-bar"):
            yield Select(
                [(_(name), key) for key, (name, _period) in PERIODS.items()],
                value=DEFAULT_PERIOD,
                allow_blank=False,
                id="period",
            )
            yield Static("", id="overview-status")
        with VerticalScroll(id="overview-body"):
            yield Grid(id="overview-charts")
            yield Grid(id="overview-figures")
        yield Static(
            _("P: period · D: overdue records · S: save report · Esc: back · Ctrl+Q: quit"),
            id="keys",
        )

    def on_mount(self) -> None:
        self.query_one("#overview-body").focus()
        self.load()

    # ------------------------------------------------------------ reading the figures

    def period_now(self) -> Period:
        key = str(self.query_one("#period", Select).value)
        return PERIODS.get(key, PERIODS[DEFAULT_PERIOD])[1](self.review_app.today)

    def load(self) -> None:
        """Read the figures of the period chosen (off the event loop) and show them. While
        one period is read, a second waits for it, and is left out if it is the same."""
        period = self.period_now()
        if self._reading is not None:
            self._read_next = None if period == self._reading else period
            return
        self._read(period)

    def _read(self, period: Period) -> None:
        self._reading = period
        self._status(_("Loading…"))
        in_background(self, self._show_figures(period), group="figures")

    async def _show_figures(self, period: Period) -> None:
        try:
            stats = await asyncio.to_thread(
                figures, self.review_app.db, period=period, today=self.review_app.today
            )
        except StorageError as exc:
            self._status(exc.message.render(current()), error=True)
        else:
            await self._show(stats)
        self._reading, after = None, self._read_next
        self._read_next = None
        if after is not None:
            self._read(after)

    async def _show(self, stats: Stats) -> None:
        self.stats = stats
        tr = current()
        self._status(period_text(stats.period, tr))
        sections = overview_sections(stats, tr, self.review_app.questionnaire)
        charts = self.query_one("#overview-charts", Grid)
        tables = self.query_one("#overview-figures", Grid)
        for section in sections:
            if section.chart is not None:
                chart = await self._part(charts, f"chart-{section.key}", section, SectionChart)
                chart.show(section)
            table = await self._part(tables, f"figures-{section.key}", section, SectionTable)
            table.show(section)

    async def _part(self, grid: Grid, box_id: str, section: Section, kind: type[_Part]) -> _Part:
        """A section's chart or table under its title: made the first time the figures are
        shown (every period has the same sections), found again after."""
        found = grid.query(f"#{box_id} {kind.__name__}")
        if found:
            return found.first(kind)
        part = kind()
        heading = Label(Text(section.title), classes="overview-heading")
        await grid.mount(Vertical(heading, part, id=box_id, classes="overview-part"))
        return part

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#overview-status", Static)
        status.set_class(error, "error")
        status.update(Text(text))

    # ------------------------------------------------------------ keys

    @on(Select.Changed, "#period")
    def _period_changed(self) -> None:
        self.load()
        self.query_one("#overview-body").focus()

    def action_period(self) -> None:
        period = self.query_one("#period", Select)
        period.focus()
        period.expanded = True

    def action_reload(self) -> None:
        self.load()

    def action_overdue(self) -> None:
        # The deadlines the figures shown were reckoned by (the law's until they are read).
        deadlines = review.LAW if self.stats is None else self.stats.deadlines
        self.app.push_screen(
            RecordListScreen(overdue_records(self.review_app.today, deadlines)),
            self._back_again,
        )

    def action_save(self) -> None:
        stats = self.stats
        if stats is None or self._reading is not None:
            return  # nothing shown yet, or what is shown is about to change
        default = f"~/kompass-overview-{self.review_app.today.isoformat()}.html"
        write = partial(
            write_overview, stats=stats, tr=current(), questionnaire=self.review_app.questionnaire
        )
        self.app.push_screen(SaveReportDialog(default, write), self._saved)

    def action_back(self) -> None:
        self.dismiss()

    def _back_again(self, _result: object = None) -> None:
        """Back from the overdue records: read the figures again (a record may have moved)."""
        self.load()

    def _saved(self, message: str | None) -> None:
        if message:
            self._status(message)


# ---------------------------------------------------------------- drawing


class SectionTable(Static):
    """A section's rows: the label on the left, the value on the right (in red when it needs
    someone's attention). Text, never markup: labels may be codes from the database."""

    def show(self, section: Section) -> None:
        table = Table(
            box=None, show_header=False, expand=True, padding=(0, 0, 0, 1), pad_edge=False
        )
        table.add_column(ratio=1, overflow="fold")
        table.add_column(justify="right", no_wrap=True)
        for row in section.rows or (Row("—", ""),):
            table.add_row(Text(row.label), Text(row.value, style="bold red" if row.alert else ""))
        self.update(table)


class SectionChart(PlotextPlot):
    """A section's bars, plotted anew for every rendering from them alone: plotext keeps what
    one drawing worked out (the axes' limits and ticks) for the next, so a chart drawn once at
    a passing size and again at its own would not always be the same picture."""

    def __init__(self) -> None:
        super().__init__()
        self.section: Section | None = None

    def show(self, section: Section) -> None:
        self.section = section
        self.refresh()

    def render(self) -> RenderResult:
        self.plt.clear_figure()
        if self.section is not None:
            _plot(self.plt, self.section, self.size.width)
        return super().render()


#: What a section is shown as.
_Part = TypeVar("_Part", SectionChart, SectionTable)


def _plot(plt: Plot, section: Section, width: int) -> None:
    """The section's bars as plotext draws them ``width`` columns wide, with whole numbers on
    the count's axis, written as the reader's language writes them.

    Every label along the bottom is placed here, no closer to the next than it leaves room
    for: plotext leaves out a label that would touch another, and which one it leaves out
    changes from one run of the program to the next."""
    points = _room_for(section)
    if not points:
        return
    labels = [_one_cell_each(bidi.visual(_cut(point.short))) for point in points]
    counts = [point.count for point in points]
    places = [float(n) for n in range(1, len(points) + 1)]
    steps = ticks(max(counts))
    where = [float(step) for step in steps]
    names = [number(step, current()) for step in steps]
    if section.chart is Chart.columns:
        plt.bar(places, counts)
        plt.yticks(where, names)
        plt.xticks(*_spaced(places, labels, width - _widest(names) - 3))
    else:
        # plotext draws the first lying bar at the bottom: the largest goes on top.
        plt.bar(places, counts[::-1], orientation="horizontal")
        plt.yticks(places, labels[::-1])
        plt.xticks(*_spaced(where, names, width - _widest(labels) - 3))


def _spaced(where: list[float], names: list[str], room: int) -> tuple[list[float], list[str]]:
    """Every n-th label, counted back from the last (the newest week, the largest count), so
    that each has a blank column either side in ``room`` columns."""
    every = max(1, -(-len(names) * (_widest(names) + 2) // max(room, 1)))
    kept = sorted(range(len(names) - 1, -1, -every))
    return [where[i] for i in kept], [names[i] for i in kept]


def _widest(labels: list[str]) -> int:
    return max((len(label) for label in labels), default=0)


def _room_for(section: Section) -> list[Point]:
    """The bars that fit: every week; the largest kinds, and the rest as one bar."""
    points = list(section.points)
    if section.chart is Chart.columns or len(points) <= CHART_BARS:
        return points
    kept, rest = points[: CHART_BARS - 1], points[CHART_BARS - 1 :]
    other = _("Other")
    return [*kept, Point(other, other, sum(point.count for point in rest))]


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_WIDTH else label[: LABEL_WIDTH - 1] + "…"


def _one_cell_each(label: str) -> str:
    """A label without what takes no cell of its own (Arabic vowel marks, the zero-width
    non-joiner of Persian): plotext aligns labels by their length, the terminal by cells."""
    return "".join(ch for ch in label if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))


# ---------------------------------------------------------------- saving the report


class SaveReportDialog(Dialog[str | None]):
    """Where to save the overview as a report. The file is written from here, so that a
    folder that cannot be written to keeps the dialog open with the reason and the path as
    typed; it closes with "Saved: …" for the overview to show."""

    def __init__(self, default: str, write: Callable[[Path], None]) -> None:
        super().__init__()
        self.default = default
        self.write = write
        #: The report is being written (off the event loop): not twice, not cancelled.
        self._saving = False

    def compose(self) -> ComposeResult:
        with DialogBox():
            yield Label(_("Save the overview as a web page (HTML)"), classes="dialog-title")
            yield Label(_("File"))
            yield Input(self.default, id="path")
            yield from self.buttons(_("Save"))

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def action_cancel(self) -> None:
        if not self._saving:
            self.dismiss(None)

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        if self._saving:
            return
        typed = self.query_one("#path", Input).value.strip()
        if not typed:
            self.refuse(_("Type the name of the file to save the report in."))
            return
        path = Path(typed).expanduser().absolute()
        self._saving = True
        self.query_one(".dialog-error", Static).update(_("Saving…"))
        in_background(self, self._write(path), group="save")

    async def _write(self, path: Path) -> None:
        try:
            await asyncio.to_thread(self.write, path)
        except StorageError as exc:  # the report's ReportError: the file and why
            self.refuse(exc)
            return
        finally:
            self._saving = False
        self.dismiss(_("Saved: %(path)s") % {"path": str(path)})
