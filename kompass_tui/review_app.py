"""``kompass review``: the municipality reads, remarks on, corrects and moves records on.

Login first; then the list of records, and one record at a time. Every reading and every
change is in the audit log under the caseworker who logged in.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual.binding import Binding, BindingType

from kompass_tui.crash import CrashLog
from kompass_tui.i18n import N_
from kompass_tui.screens.login import LoginKeys
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Caseworker
from sporreskjema import Questionnaire, load_builtin


class ReviewApp(CrashLog, LoginKeys):
    CSS_PATH = "styles/review.tcss"
    TITLE = "Kompass"
    ENABLE_COMMAND_PALETTE = False
    CRASH_MESSAGE = N_(
        "Kompass stopped because of an unexpected error. Every change made before it is saved. Details: %(path)s"
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", show=False, priority=True)]

    def __init__(self, db: Database, *, today: dt.date | None = None) -> None:
        super().__init__()
        self.db = db
        self.today = today or dt.date.today()
        self.questionnaire: Questionnaire = load_builtin()
        self._caseworker: Caseworker | None = None

    @property
    def caseworker(self) -> Caseworker:
        if self._caseworker is None:
            raise RuntimeError("nobody is logged in")
        return self._caseworker

    @property
    def actor_id(self) -> int:
        assert self.caseworker.id is not None
        return self.caseworker.id

    def on_mount(self) -> None:
        from kompass_tui.screens.login import LoginScreen

        self.push_screen(LoginScreen(), self._logged_in)

    def _logged_in(self, caseworker: Caseworker | None) -> None:
        from kompass_tui.screens.record_list import RecordListScreen

        if caseworker is None:
            self.exit()
            return
        self._caseworker = caseworker
        self.push_screen(RecordListScreen())
