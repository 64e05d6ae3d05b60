"""The review's list of records: status, name, identifier, permit date and the days left to
the two-week deadline, a page at a time (the database is never read whole).

The list may also open already filtered (a :class:`Preset`, such as the overview's overdue
records): it says so in its title, keeps the preset's filters whatever else is chosen, and
Escape goes back to the screen that opened it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from babel.dates import format_date
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Select

from kompass_tui.i18n import _, current
from kompass_tui.record_view import deadline_text, guidance_text, status_text
from kompass_tui.review.host import ReviewHost
from kompass_tui.storage import review
from kompass_tui.storage.deadlines import Deadlines
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import Status
from kompass_tui.widgets.background import in_background
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.visual import Checkbox, Input, Label, Static
from kompass_tui.widgets.visual_large import DataTable
from sporreskjema.text import shown

PAGE_SIZE = 50
#: Seconds of quiet after typing in the search box before the list is read again.
SEARCH_DELAY = 0.3

_STATUS_FILTERS: dict[str, frozenset[Status]] = {
    "open": review.OPEN_STATUSES,
    **{status.value: frozenset({status}) for status in Status},
    "all": frozenset(Status),
}


@dataclass(frozen=True)
class Preset:
    """A list opened already filtered: what its title calls it (translated), and the filters
    it keeps (its statuses instead of the status box's; search, sort and follow-up apply on
    top of them)."""

    name: str
    query: review.ListQuery


class RecordListScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("pagedown", "page(1)"),
        ("pageup", "page(-1)"),
        ("slash", "search"),
        ("f5", "reload"),
        ("o", "overview"),
        ("escape", "back"),
    ]

    def __init__(self, preset: Preset | None = None) -> None:
        super().__init__()
        #: The filters the list was opened with (None: the review's own list, from the login).
        self.preset = preset
        self.first = 0
        self.total = 0
        self._search_timer: Timer | None = None
        #: The page being read (off the event loop), and the one to read after it.
        self._reading: review.ListQuery | None = None
        self._read_next: review.ListQuery | None = None

    review_app = Host(ReviewHost)

    def compose(self) -> ComposeResult:
        title = _("Kompass — review · %(name)s") % {
            "name": shown(self.review_app.caseworker.full_name)
        }
        if self.preset is not None:
            title += " · " + self.preset.name
        yield Label(Text(title), id="review-title")
        with Horizontal(id="filters"):
            yield Input(placeholder=_("Search: name, identifier or record id"), id="search")
            if self.preset is None:
                yield Select(
                    [
                        (_("Open (not reviewed yet)"), "open"),
                        *(
                            (review.status_msg(s).render(current()).capitalize(), s.value)
                            for s in Status
                        ),
                        (_("All"), "all"),
                    ],
                    value="open",
                    allow_blank=False,
                    id="status-filter",
                )
            yield Select(
                [
                    (_("Deadline first"), "deadline"),
                    (_("By name"), "name"),
                    (_("Latest change"), "updated"),
                ],
                value="deadline",
                allow_blank=False,
                id="sort",
            )
            yield Checkbox(_("Follow-up"), id="follow-up")
        yield DataTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Static("", id="list-status")
        if self.preset is None:
            keys = _(
                "Enter: open · PgDn/PgUp: page · /: search · O: overview · F5: read again · Ctrl+Q: quit"
            )
        else:
            keys = _("Enter: open · PgDn/PgUp: page · /: search · F5: read again · Esc: back")
        yield Static(keys, id="keys")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, heading in (
            ("id", _("Record")),
            ("status", _("Status")),
            ("name", _("Name")),
            ("deadline", _("Deadline")),
            ("guidance", _("Career guidance")),
            ("person", _("Identifier")),
            ("permit", _("Permit date")),
            ("follow-up", _("Follow-up")),
        ):
            table.add_column(heading, key=key)
        self.load()
        table.focus()

    def query_now(self) -> review.ListQuery:
        sort = self.query_one("#sort", Select).value
        if self.preset is None:
            status = self.query_one("#status-filter", Select).value
            start = review.ListQuery(statuses=_STATUS_FILTERS[str(status)])
        else:
            start = self.preset.query
        return replace(
            start,
            follow_up_only=self.query_one("#follow-up", Checkbox).value,
            search=self.query_one("#search", Input).value,
            sort=review.Sort(str(sort)),
            offset=self.first,
            limit=PAGE_SIZE,
        )

    def load(self) -> None:
        """Read the current page (off the event loop) and show it. While a page is being read,
        a second read waits for it, and is left out if it would read the same page."""
        query = self.query_now()
        if self._reading is not None:
            self._read_next = None if query == self._reading else query
            return
        self._read(query)

    def _read(self, query: review.ListQuery) -> None:
        self._reading = query
        self.query_one("#list-status", Static).update(_("Loading…"))
        in_background(self, self._show_page(query), group="list")

    async def _show_page(self, query: review.ListQuery) -> None:
        try:
            page = await asyncio.to_thread(
                review.list_records, self.review_app.db, query, actor_id=self.review_app.actor_id
            )
        except StorageError as exc:
            self.query_one("#list-status", Static).update(Text(exc.message.render(current())))
        else:
            self._show(page)
        self._reading, after = None, self._read_next
        self._read_next = None
        if after is not None:
            self._read(after)

    def _show(self, page: review.RecordPage) -> None:
        self.total = page.total
        tr = current()
        today = self.review_app.today
        table = self.query_one(DataTable)
        table.clear()
        for row in page.rows:
            table.add_row(*self._cells(row, today, tr, page.deadlines), key=str(row.id))
        status = self.query_one("#list-status", Static)
        if page.rows:
            status.update(
                _("Records %(first)d–%(last)d of %(total)d.")
                % {
                    "first": page.query.offset + 1,
                    "last": page.query.offset + len(page.rows),
                    "total": page.total,
                }
            )
        else:
            status.update(_("No records match."))

    @staticmethod
    def _cells(row: review.RecordRow, today: dt.date, tr: Any, deadlines: Deadlines) -> list[Any]:
        late = review.overdue(row.permit_date, row.status, today, deadlines)
        guidance_left = review.guidance_days_left(row.settlement_date, today, deadlines)
        guidance_late = (
            guidance_left is not None and guidance_left < 0 and row.status != Status.exported
        )
        # Text, never strings: the table reads strings as markup, so a name like "[/b]" would
        # stop the review and "[@click=…]" would make it clickable.
        return [
            Text(str(row.id)[:8]),
            Text(status_text(row.status, tr)),
            Text(shown(row.full_name or "—")),
            Text(
                deadline_text(row, today, tr, deadlines),
                style="bold red" if late else "",
            ),
            Text(
                guidance_text(row.settlement_date, today, tr, deadlines) or "—",
                style="bold red" if guidance_late else "",
            ),
            Text(shown(row.person_key or "—")),
            Text(format_date(row.permit_date, "short", locale=tr.cldr) if row.permit_date else "—"),
            Text(_("yes") if row.needs_follow_up else ""),
        ]

    # ------------------------------------------------------------ filters and paging

    def _from_start(self) -> None:
        self.first = 0
        self.load()

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _filter_changed(self) -> None:
        self._from_start()

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self._from_start)

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._from_start()
        self.query_one(DataTable).focus()

    def action_page(self, step: int) -> None:
        offset = self.first + step * PAGE_SIZE
        if 0 <= offset < max(self.total, 1):
            self.first = offset
            self.load()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_reload(self) -> None:
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The review's own list opens the overview; a preset list goes back instead."""
        if action == "overview":
            return self.preset is None
        if action == "back":
            return self.preset is not None
        return True

    def action_overview(self) -> None:
        from kompass_tui.review.screens.overview import OverviewScreen

        self.app.push_screen(OverviewScreen(), self._back)

    def action_back(self) -> None:
        self.dismiss()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        from kompass_tui.review.screens.record import RecordScreen

        if event.row_key.value is not None:
            self.app.push_screen(RecordScreen(uuid.UUID(event.row_key.value)), self._back)

    def _back(self, _result: object = None) -> None:
        self.load()
