"""``kompass review``: the municipality reads, remarks on, corrects and moves records on.

Login first; then the list of records, and one record at a time. Every reading and every
change is in the audit log under the caseworker who logged in.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

from kompass_tui.i18n import N_
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Caseworker
from kompass_tui.widgets import CASEWORKER_CSS
from kompass_tui.widgets.crash import CrashLog
from kompass_tui.widgets.login import LoginKeys
from sporreskjema import Questionnaire, load_builtin

if TYPE_CHECKING:
    from kompass_tui.review.host import ReviewHost
    from kompass_tui.widgets.host import LoginHost


class ReviewApp(CrashLog, LoginKeys):
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        CASEWORKER_CSS,
        Path(__file__).with_name("review.tcss"),
    ]
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
        from kompass_tui.widgets.login import LoginScreen

        self.push_screen(LoginScreen(), self._logged_in)

    def _logged_in(self, caseworker: Caseworker | None) -> None:
        from kompass_tui.review.screens.record_list import RecordListScreen

        if caseworker is None:
            self.exit()
            return
        self._caseworker = caseworker
        self.push_screen(RecordListScreen())


if TYPE_CHECKING:

    def _hosts(app: ReviewApp) -> tuple[ReviewHost, LoginHost]:
        """mypy checks here that the review is what its screens may ask for."""
        return app, app
