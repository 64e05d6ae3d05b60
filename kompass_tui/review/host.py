"""What the review's screens and dialogs may ask of the review (reached through
:class:`~kompass_tui.widgets.host.Host`; :class:`~kompass_tui.review.app.ReviewApp` provides it)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kompass_tui.storage.database import Database
    from kompass_tui.storage.models import Caseworker
    from sporreskjema import Questionnaire


class ReviewHost(Protocol):
    @property
    def db(self) -> Database: ...

    @property
    def today(self) -> dt.date: ...

    @property
    def questionnaire(self) -> Questionnaire: ...

    @property
    def caseworker(self) -> Caseworker:
        """The caseworker who logged in (a RuntimeError before the login)."""

    @property
    def actor_id(self) -> int:
        """The caseworker's id, for the audit log."""
