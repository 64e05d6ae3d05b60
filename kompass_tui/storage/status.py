"""A record's status, and which status may follow which.

A registration is ``in_progress`` while the person answers, ``submitted`` when they send it,
``reviewed`` once a caseworker has read it and ``exported`` when it has gone to the
municipality's case system. The kiosk and the desk only submit; a caseworker moves a record
one step on or back (:data:`TRANSITIONS`); an export moves reviewed records on.

A reviewer who needs something cleared up sends a submitted or reviewed record back
(``sent_back``, always with a comment saying what): at the assisted desk the person and the
caseworker then correct it, every change kept as a correction, and send it again
(``submitted``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from kompass_tui.i18n import N_, Msg


class Status(StrEnum):
    in_progress = "in_progress"
    submitted = "submitted"
    reviewed = "reviewed"
    exported = "exported"
    sent_back = "sent_back"


#: Each status and the ones a record may move on (or back) to from it.
TRANSITIONS: Final[dict[Status, tuple[Status, ...]]] = {
    Status.in_progress: (Status.submitted,),
    Status.submitted: (Status.reviewed, Status.sent_back),
    Status.reviewed: (Status.submitted, Status.exported, Status.sent_back),
    Status.exported: (Status.reviewed,),
    # Sent again from the desk, or taken back by the reviewer.
    Status.sent_back: (Status.submitted,),
}
#: Statuses whose answers a caseworker may correct: sent by the person, not yet exported.
CORRECTABLE: Final = frozenset({Status.submitted, Status.reviewed, Status.sent_back})
#: What the list shows unless asked otherwise: the work that is still open.
OPEN_STATUSES: Final = frozenset({Status.in_progress, Status.submitted, Status.sent_back})
#: Statuses whose answers the assisted desk may still give or change.
ANSWERABLE: Final = frozenset({Status.in_progress, Status.sent_back})

#: Each status as the screens and the command line name it.
STATUS_NAMES: Final = {
    Status.in_progress: N_("in progress"),
    Status.submitted: N_("submitted"),
    Status.reviewed: N_("reviewed"),
    Status.exported: N_("exported"),
    Status.sent_back: N_("sent back for clarification"),
}


def may_follow(old: Status | str, new: Status | str) -> bool:
    """Whether a record that is ``old`` may become ``new`` in one step."""
    return Status(new) in TRANSITIONS[Status(old)]


def status_msg(status: Status | str) -> Msg:
    return Msg(STATUS_NAMES[Status(status)])
