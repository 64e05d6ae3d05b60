"""The review's overview through the real app: the figures of a period as the people made say
they must be, another period, the overdue records one key away and back, the figures read off
the event loop and a storage failure said in words; pictures in nb and en at 80×24 and 120×40."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Select
from textual_plotext import PlotextPlot

from kompass_tui.i18n import _, current, set_locale
from kompass_tui.review.app import ReviewApp
from kompass_tui.review.screens import overview
from kompass_tui.review.screens.overview import OverviewScreen
from kompass_tui.review.screens.record_list import RecordListScreen
from kompass_tui.storage import accounts, deadlines
from kompass_tui.storage.database import Database
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.stats import Period
from sporreskjema import cldr
from sporreskjema.i18n import N_, Msg
from tests.support.helpers import TODAY
from tests.support.overview import TONGUES, Person, begun_in, people, store
from tests.support.review import log_in, wait_for
from tests.support.slow_work import Held, responsive, ticking, until

#: The overview opens on the last twelve weeks: this one (from Monday) and the eleven before.
TWELVE_WEEKS = Period(TODAY - dt.timedelta(days=TODAY.weekday(), weeks=11), TODAY)


@pytest.fixture
def made(sqlite_db: Database) -> list[Person]:
    found = people()
    store(sqlite_db, found)
    return found


def make_app(db: Database) -> ReviewApp:
    return ReviewApp(db, today=TODAY)


async def open_overview(pilot: Pilot[Any]) -> OverviewScreen:
    await log_in(pilot)
    await wait_for(pilot, RecordListScreen)
    await pilot.press("o")
    screen: OverviewScreen = await wait_for(pilot, OverviewScreen)
    return screen


def lines(widget: Widget) -> list[str]:
    """What the widget shows, line by line, as the terminal has it."""
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


def rows(screen: OverviewScreen, key: str) -> dict[str, str]:
    """A section's table as shown: label → value (a label too long for its column goes on
    on the next lines, its value beside its first)."""
    shown: list[list[str]] = []
    for line in lines(screen.query_one(f"#figures-{key} SectionTable")):
        parts = re.split(r"\s{2,}", line.strip())
        if len(parts) == 2:
            shown.append(parts)
        else:
            shown[-1][0] += " " + parts[0]
    return dict((label, value) for label, value in shown)


def expected_records(chosen: list[Person]) -> dict[str, str]:
    by_status = Counter(person.status for person in chosen)
    names = {"in_progress": "Påbegynt", "submitted": "Sendt inn", "reviewed": "Kvalitetssikret",
             "exported": "Eksportert"}  # fmt: skip
    return {
        _("All"): str(len(chosen)),
        **{names[status]: str(by_status[status]) for status in names if by_status[status]},
    }


async def test_the_figures_of_a_period_and_the_overdue_records(
    sqlite_db: Database, made: list[Person]
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_overview(pilot)
        recent = begun_in(made, TWELVE_WEEKS)
        assert 0 < len(recent) < len(made)
        assert rows(screen, "records") == expected_records(recent)
        tongues = Counter(TONGUES[person.locale] for person in recent)
        shown_tongues = rows(screen, "mother_tongues")
        tr = current()
        assert shown_tongues == {
            f"{cldr.language_name(code, tr)} ({code})": str(n) for code, n in tongues.items()
        }
        counts = [int(n) for n in shown_tongues.values()]
        assert counts == sorted(counts, reverse=True)  # the most spoken first
        status = str(screen.query_one("#overview-status").render())
        assert status == _("Records begun from %(first)s to %(last)s") % {
            "first": "7. sep. 2026",
            "last": "27. nov. 2026",
        }
        # Charts drawn by plotext: the records' statuses, the weeks and the mother tongues.
        charts = {plot.parent.id: "\n".join(lines(plot)) for plot in screen.query(PlotextPlot)}  # type: ignore[union-attr]
        assert set(charts) == {"chart-records", "chart-weeks", "chart-mother_tongues"}
        assert "tigrinja┤" in charts["chart-mother_tongues"]
        assert "█" in charts["chart-weeks"]

        # The whole time: through the period's list, as a caseworker chooses it.
        await pilot.press("p")
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: screen.query_one("#period", Select).value == "all")
        await wait_for(pilot, OverviewScreen)
        assert rows(screen, "records") == expected_records(made)
        overdue = {str(person.id) for person in made if person.overdue()}
        assert 0 < len(overdue) < len(made)
        assert rows(screen, "deadline")[_("Overdue now (not sent)")] == str(len(overdue))
        assert str(screen.query_one("#overview-status").render()) == _("Every record")

        await pilot.press("d")
        listing = await wait_for(pilot, RecordListScreen)
        assert listing.preset is not None
        title = str(listing.query_one("#review-title").render())
        assert title.endswith(" · " + _("Overdue records"))
        table = listing.query_one("#records", DataTable)
        assert {str(key.value) for key in table.rows} == overdue
        assert not listing.query("#status-filter")  # the preset's statuses, not the box's
        await pilot.press("o")  # no overview over the overview
        assert app.screen is listing

        await pilot.press("escape")
        assert await wait_for(pilot, OverviewScreen) is screen
        await pilot.press("escape")
        root = await wait_for(pilot, RecordListScreen)
        assert root.preset is None
        await pilot.press("escape")  # the review's own list stays where it is
        await pilot.pause()
        assert app.screen is root


async def test_the_overdue_records_are_late_by_the_municipalitys_deadline(
    sqlite_db: Database, made: list[Person]
) -> None:
    """A municipality that gives itself 30 days: the figure and the list both count by it."""
    (kari,) = accounts.list_users(sqlite_db)
    assert kari.id is not None
    deadlines.save(sqlite_db, deadlines.Deadlines(survey_days=30), actor_id=kari.id)
    late = {str(person.id) for person in made if person.overdue(30)}
    assert set() < late < {str(person.id) for person in made if person.overdue()}
    app = make_app(sqlite_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_overview(pilot)
        screen.query_one("#period", Select).value = "all"
        await until(pilot, lambda: screen.stats is not None and screen.stats.period == Period())
        await wait_for(pilot, OverviewScreen)
        assert rows(screen, "deadline")[_("Overdue now (not sent)")] == str(len(late))
        await pilot.press("d")
        listing = await wait_for(pilot, RecordListScreen)
        table = listing.query_one("#records", DataTable)
        assert {str(key.value) for key in table.rows} == late


async def test_the_figures_are_read_off_the_event_loop(
    sqlite_db: Database, made: list[Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the figures are read the overview says so and takes keys; a period chosen
    meanwhile is read after, and the one shown is the one chosen last."""
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await wait_for(pilot, RecordListScreen)
        ticks = ticking(app)
        held = Held(monkeypatch, overview, "figures")
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, OverviewScreen) and held.started == 1)
        screen = app.screen
        assert str(screen.query_one("#overview-status").render()) == _("Loading…")
        await responsive(pilot, ticks, held)
        screen.query_one("#period", Select).value = "4w"
        await pilot.pause()
        held.go_on()
        await until(pilot, lambda: held.finished == 2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        first = TODAY - dt.timedelta(days=TODAY.weekday(), weeks=3)
        assert rows(screen, "records") == expected_records(begun_in(made, Period(first, TODAY)))  # type: ignore[arg-type]
    assert held.started == 2


async def test_a_storage_failure_is_said_in_words(
    sqlite_db: Database, made: list[Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    message = Msg(N_("The database is locked by another program. Try again."))

    def refused(*_args: object, **_kwargs: object) -> None:
        raise StorageError(message)

    monkeypatch.setattr(overview, "figures", refused)
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_overview(pilot)
        status = screen.query_one("#overview-status")
        assert str(status.render()) == message.render(current())
        assert status.has_class("error")
        assert screen.stats is None
        await pilot.press("s")  # nothing shown, nothing to save
        assert app.screen is screen


@pytest.mark.parametrize("locale", ["nb", "en"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_overview_picture(
    snap_compare: Callable[..., bool],
    sqlite_db: Database,
    made: list[Person],
    locale: str,
    size: tuple[int, int],
) -> None:
    set_locale(locale)

    async def open_it(pilot: Pilot[Any]) -> None:
        await open_overview(pilot)
        await pilot.pause()

    assert snap_compare(make_app(sqlite_db), terminal_size=size, run_before=open_it)


def test_the_charts_are_loaded_only_with_the_overview() -> None:
    """The kiosk's start, the command line and the review's list load neither chart library:
    plotext comes with the overview screen, pygal with the first report written."""
    code = (
        "import sys, kompass_tui.cli, kompass_tui.kiosk.app, kompass_tui.review.app\n"
        "import kompass_tui.review.screens.record_list, kompass_tui.exchange.overview_report\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('plotext', 'pygal',"
        " 'textual_plotext')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
