"""One record in the review: by section, with who gave each answer, remarks and corrections;
remark, correct, move the status and flag for follow-up from here."""

from __future__ import annotations

import asyncio
import uuid
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen

from kompass_tui.i18n import _, current
from kompass_tui.record_view import (
    RecordReport,
    RemarkLine,
    build_report,
    questionnaire_of_record,
    status_text,
)
from kompass_tui.review.host import ReviewHost
from kompass_tui.storage import review
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import RemarkKind, Status
from kompass_tui.widgets.background import in_background
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.visual import Button, Label, Static
from sporreskjema import Questionnaire


class RecordScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        ("escape", "back"),
        ("r", "remark('remark')"),
        ("n", "remark('counsellor_note')"),
        ("c", "correct"),
        ("s", "status"),
        ("f", "follow_up"),
        ("b", "settled"),
    ]

    def __init__(self, record_id: uuid.UUID) -> None:
        super().__init__()
        self.record_id = record_id
        self.view: review.RecordView | None = None
        #: The open record's questionnaire, once it is read.
        self.questionnaire: Questionnaire | None = None
        self.report: RecordReport | None = None
        #: The follow-up flag is being saved (off the event loop).
        self._flagging = False

    review_app = Host(ReviewHost)

    def compose(self) -> ComposeResult:
        yield Label("", id="record-title")
        yield VerticalScroll(id="record-body")
        yield Static("", id="record-error", classes="error")
        with Horizontal(id="record-actions"):
            yield Button(_("Remark (r)"), id="remark")
            yield Button(_("Note (n)"), id="note")
            yield Button(_("Correct (c)"), id="correct")
            yield Button(_("Status (s)"), id="status")
            yield Button(_("Follow-up (f)"), id="follow-up")
            yield Button(_("Settled (b)"), id="settled")
            yield Button(_("Back (Esc)"), id="back")

    def on_mount(self) -> None:
        self.query_one("#record-title", Label).update(_("Loading…"))
        in_background(self, self._open(), group="record")

    async def _open(self) -> None:
        """Read the record off the event loop (the reading is audited), then show it."""
        try:
            self.view = await asyncio.to_thread(
                review.view_record,
                self.review_app.db,
                self.record_id,
                actor_id=self.review_app.actor_id,
            )
        except StorageError as exc:
            self.query_one("#record-title", Label).update("")
            self.query_one("#record-error", Static).update(Text(exc.message.render(current())))
            return
        await self.show_record()
        self.query_one("#record-body").focus()

    async def reload(self) -> None:
        """Read the record again after a change (the change itself is in the audit log)."""
        self.view = await asyncio.to_thread(review.load_view, self.review_app.db, self.record_id)
        await self.show_record()

    async def show_record(self) -> None:
        assert self.view is not None
        tr = current()
        # The record's own questionnaire (a record on kompass-v1 keeps v1's questions).
        self.questionnaire = questionnaire_of_record(self.view.record)
        report = build_report(self.view, self.questionnaire, tr, self.review_app.today)
        self.report = report
        status = status_text(self.view.record.status, tr)
        self.query_one("#record-title", Label).update(
            Text.assemble((report.title, "bold"), "  ·  ", status)
        )
        body = self.query_one("#record-body", VerticalScroll)
        await body.remove_children()
        facts = Text()
        for label, value in report.facts:
            late = report.overdue and label == _("Deadline")
            facts.append(f"{label}: ", "bold")
            facts.append(f"{value}\n", "bold red" if late else "")
        facts.rstrip()
        widgets: list[Static] = []
        if report.clarification is not None:
            widgets.append(_clarification(report.clarification))
        widgets.append(Static(facts, classes="facts"))
        for section in report.sections:
            if not section.lines and not section.remarks:
                continue
            text = Text()
            text.append(section.title + "\n", "bold underline")
            for line in section.lines:
                indent = "  " * line.depth
                text.append(indent + line.label, "bold" if line.heading else "")
                if line.corrected:
                    text.append(" *", "bold yellow")
                if not line.heading:
                    text.append(": " + (line.text or "—"))
                if line.given:
                    text.append(f"  [{line.given}]", "dim")
                text.append("\n")
            _remarks(text, section.remarks)
            text.rstrip()
            widgets.append(Static(text, classes="record-section"))
        if report.remarks:
            text = Text(_("Remarks on the whole record") + "\n", "bold underline")
            _remarks(text, report.remarks)
            text.rstrip()
            widgets.append(Static(text, classes="record-section"))
        if report.history:
            text = Text(_("Corrections (* above)") + "\n", "bold underline")
            for change in report.history:
                text.append(f"{change.when} · {change.author} · {change.question}\n", "italic")
                text.append(f"  {change.old} → {change.new}\n")
                text.append(
                    "  " + _("Reason: %(reason)s") % {"reason": change.reason} + "\n", "dim"
                )
            text.rstrip()
            widgets.append(Static(text, classes="record-section"))
        await body.mount_all(widgets)

    # ------------------------------------------------------------ actions

    def _done(self, message: str | None) -> None:
        self.query_one("#record-error", Static).update(message or "")
        self.run_worker(self.reload(), exclusive=True)

    def action_back(self) -> None:
        self.dismiss()

    def action_remark(self, kind: str) -> None:
        from kompass_tui.review.screens.dialogs import RemarkDialog

        self.app.push_screen(
            RemarkDialog(self.record_id, RemarkKind(kind), self.questionnaire), self._done
        )

    def action_correct(self) -> None:
        from kompass_tui.review.screens.dialogs import CorrectDialog

        if self.view is None or self.report is None:
            return
        if self.view.record.status not in review.CORRECTABLE:
            self.query_one("#record-error", Static).update(
                _("Only submitted or reviewed records can be corrected.")
            )
            return
        self.app.push_screen(CorrectDialog(self.record_id, self.view), self._done)

    def action_status(self) -> None:
        from kompass_tui.review.screens.dialogs import StatusDialog

        if self.view is not None and self.view.record.status in set(Status):
            self.app.push_screen(
                StatusDialog(self.record_id, Status(self.view.record.status)), self._done
            )

    def action_settled(self) -> None:
        from kompass_tui.review.screens.dialogs import SettlementDialog

        if self.view is not None:
            self.app.push_screen(
                SettlementDialog(self.record_id, self.view.record.settlement_date), self._done
            )

    def action_follow_up(self) -> None:
        if self.view is None or self._flagging:
            return  # a second f before the first is saved and shown would flag it again
        self._flagging = True
        self.query_one("#record-error", Static).update(_("Saving…"))
        in_background(self, self._flag(not self.view.record.needs_follow_up), group="follow-up")

    async def _flag(self, flag: bool) -> None:
        """Save the flag off the event loop, then show the record as it is now."""
        try:
            await asyncio.to_thread(
                review.set_follow_up,
                self.review_app.db,
                record_id=self.record_id,
                actor_id=self.review_app.actor_id,
                flag=flag,
            )
        except StorageError as exc:
            message = exc.message.render(current())
        else:
            message = _("Marked as needing follow-up.") if flag else _("Follow-up flag cleared.")
        self.query_one("#record-error", Static).update(message)
        await self.reload()
        self._flagging = False

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {
            "remark": lambda: self.action_remark("remark"),
            "note": lambda: self.action_remark("counsellor_note"),
            "correct": self.action_correct,
            "status": self.action_status,
            "follow-up": self.action_follow_up,
            "settled": self.action_settled,
            "back": self.action_back,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()


def _clarification(line: RemarkLine) -> Static:
    """On top of a record sent back: what the reviewer asked to clear up, by whom, when."""
    text = Text(_("Sent back for clarification") + f" · {line.author} · {line.when}\n", "bold")
    text.append(line.text)
    return Static(text, classes="clarification")


def _remarks(text: Text, remarks: list[RemarkLine]) -> None:
    for remark in remarks:
        style = "bold magenta" if remark.counsellor else "bold cyan"
        text.append(f"▸ {remark.kind} · {remark.author} · {remark.when}\n", style)
        text.append(f"  {remark.text}\n")
