"""The review must stay quick however many records a municipality has: opening the list, and
the overview of its figures, on a database of 100,000 records against the same on 1,000
(target ratios 1.3 and 2.0). The list's page comes off the index ``ix_record_status_deadline``
(statuses, then the deadline order), so only the count of matching records grows with the
database; the overview's figures are sums over the tally the database keeps as records
change (``storage/tally.py``), which grows with the days and codes, not the records.

Both sides are the real review app, logged in, running headless at 80×24; each call opens the
screen (the list's first page, or the overview's figures and charts) until it is painted, and
closes it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from bench.bench_exchange import _records
from bench.bench_kiosk import _Running
from bench.harness import Case, benchmark
from kompass_tui.review.app import ReviewApp
from kompass_tui.review.screens.record_list import PAGE_SIZE, RecordListScreen
from kompass_tui.storage import accounts

TODAY = dt.date(2026, 11, 27)


def _desk(records: int) -> tuple[_Running, ReviewApp]:
    # The export's databases: the same records, with answers the list does not read.
    _path, db, _worker = _records(records)
    [worker] = [user for user in accounts.list_users(db) if user.username == "bench"]
    app = ReviewApp(db, today=TODAY)
    running = _Running(app)

    async def logged_in() -> None:
        await running.settle()
        app.pop_screen()  # the login screen: the caseworker is set directly
        app._caseworker = worker
        await running.settle()

    running.call(logged_in)
    return running, app


def _opening(
    running: _Running, make: Callable[[], Screen[Any]], shown: Callable[[Screen[Any]], bool]
) -> Callable[[], Any]:
    """A call that pushes the screen ``make`` gives until it is painted as ``shown`` says,
    then closes it again."""

    async def job() -> None:
        screen = await running.until(lambda: running.app.push_screen(make()), shown)
        await running.until(
            running.app.pop_screen, lambda s: s is not screen and s is running.app.screen
        )

    return lambda: running.call(job)


def _open_list(running: _Running, app: ReviewApp) -> Any:
    def listed(screen: Screen[Any]) -> bool:
        if not isinstance(screen, RecordListScreen) or screen is not app.screen:
            return False
        return (
            bool(screen.query("#records")) and screen.query_one("#records").row_count == PAGE_SIZE
        )  # type: ignore[attr-defined]

    return _opening(running, RecordListScreen, listed)


@benchmark("review: open the list")
def review_list(quick: bool) -> Case:
    large, large_app = _desk(100_000)
    small, small_app = _desk(1_000)
    return Case(
        target=1.3,
        subject=_open_list(large, large_app),
        baseline=_open_list(small, small_app),
        detail=f"the review app (80×24, logged in) opens the record list until its first page "
        f"({PAGE_SIZE} rows, open records, soonest deadline first) is painted, then closes it; "
        f"100,000 records against 1,000",
        # Only the count of open records grows with the database now (about 3 ms of some
        # 150): the target is tight against the noise of a shared machine, so more rounds.
        rounds=7 if quick else None,
    )


def _open_overview(running: _Running, app: ReviewApp) -> Any:
    from kompass_tui.review.screens.overview import OverviewScreen

    def shown(screen: Screen[Any]) -> bool:
        return (
            isinstance(screen, OverviewScreen)
            and screen is app.screen
            and screen.stats is not None
            and bool(screen.query("SectionChart"))
        )

    return _opening(running, OverviewScreen, shown)


@benchmark("review: open the overview")
def review_overview(quick: bool) -> Case:
    large, large_app = _desk(100_000)
    small, small_app = _desk(1_000)
    return Case(
        target=2.0,
        subject=_open_overview(large, large_app),
        baseline=_open_overview(small, small_app),
        detail="the review app (80×24, logged in) opens the overview until its figures (the "
        "last 12 weeks: every figure of kompass stats, counted by the database) and charts are "
        "shown, then closes it; 100,000 records against 1,000",
        rounds=5 if quick else None,
    )
