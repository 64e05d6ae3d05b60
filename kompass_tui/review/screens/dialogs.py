"""The review's dialogs: add a remark or note, correct an answer, move the status.

Each is dismissed with a short message for the record screen (what was done), or with None
when cancelled. A refused action keeps the dialog open with the reason, and loses nothing typed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Select

from kompass_tui.i18n import _, current
from kompass_tui.record_view import REMARK_KINDS, questionnaire_of_record
from kompass_tui.review.host import ReviewHost
from kompass_tui.storage import review
from kompass_tui.storage.answers import nest_answers
from kompass_tui.storage.errors import StorageError
from kompass_tui.storage.models import RemarkKind, Status
from kompass_tui.widgets.background import in_background
from kompass_tui.widgets.dialog import Dialog, DialogBox
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.visual import Button, Input, Label, Static
from kompass_tui.widgets.visual_large import TextArea
from sporreskjema import Form, FormError, Path, Question, Questionnaire, values
from sporreskjema.text import shown

WHOLE_RECORD = "-"


class _Dialog(Dialog[str | None]):
    review_app = Host(ReviewHost)
    #: A save is under way (off the event loop): it cannot be cancelled, nor made twice.
    _saving = False

    def action_cancel(self) -> None:
        if not self._saving:
            self.dismiss(None)

    def save(self, work: Callable[[], object], done: str) -> None:
        """Run ``work`` (the storage call) off the event loop, then close with ``done``; a
        refusal keeps the dialog open with its reason. One save at a time: a second press
        of Save while the first runs does nothing."""
        if self._saving:
            return
        self._saving = True
        self.query_one(".dialog-error", Static).update(_("Saving…"))
        in_background(self, self._save_and_close(work, done), group="save")

    async def _save_and_close(self, work: Callable[[], object], done: str) -> None:
        try:
            await asyncio.to_thread(work)
        except StorageError as exc:
            self.refuse(exc)
            return
        finally:
            self._saving = False
        self.dismiss(done)


class RemarkDialog(_Dialog):
    """A remark on one section or the whole record, or a career counsellor's note."""

    def __init__(
        self, record_id: uuid.UUID, kind: RemarkKind, questionnaire: Questionnaire | None = None
    ) -> None:
        super().__init__()
        self.record_id = record_id
        self.kind = kind
        self._questionnaire = questionnaire

    @property
    def questionnaire(self) -> Questionnaire:
        """The record's questionnaire (its sections are what a remark may be on)."""
        return self._questionnaire or self.review_app.questionnaire

    def compose(self) -> ComposeResult:
        questionnaire = self.questionnaire
        with DialogBox():
            yield Label(_(REMARK_KINDS[self.kind]), classes="dialog-title")
            yield Label(_("About"))
            yield Select(
                [(_("The whole record"), WHOLE_RECORD)]
                + [(_(s.title), s.name) for s in questionnaire.sections],
                value=WHOLE_RECORD,
                allow_blank=False,
                id="section",
            )
            yield Label(_("Text"))
            yield TextArea(id="text")
            yield from self.buttons(_("Save"))

    def on_mount(self) -> None:
        self.query_one("#text", TextArea).focus()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        section = str(self.query_one("#section", Select).value)
        self.save(
            partial(
                review.add_remark,
                self.review_app.db,
                record_id=self.record_id,
                actor_id=self.review_app.actor_id,
                text=self.query_one("#text", TextArea).text,
                questionnaire=self.questionnaire,
                section=None if section == WHOLE_RECORD else section,
                kind=self.kind,
            ),
            _("Saved."),
        )


class CorrectDialog(_Dialog):
    """Choose an answer, type the new one and say why."""

    def __init__(self, record_id: uuid.UUID, view: review.RecordView) -> None:
        super().__init__()
        self.record_id = record_id
        self.view = view
        #: The record's own questionnaire: a record on kompass-v1 is corrected by v1's questions.
        self.questionnaire = questionnaire_of_record(view.record)

    def _form(self) -> Form:
        return Form.from_json(
            self.questionnaire,
            nest_answers(self.view.answer_values()),
            today=self.review_app.today,
        )

    def _choices(self) -> list[tuple[str, str]]:
        """Every question of the record that takes an answer, as (label, path)."""
        form = self._form()
        tr = current()
        choices = []
        for item in form.iter_visible():
            question = item.question
            if not question.holds_value or not question.kind.correctable:
                continue
            label = tr.gettext(question.label)
            path = Path.parse(str(item.path))
            if path.group is not None and path.index is not None:
                group = tr.gettext(self.questionnaire.question(path.group).label)
                label = f"{group} {path.index + 1}: {label}"
            choices.append((label, str(item.path)))
        return choices

    def compose(self) -> ComposeResult:
        with DialogBox():
            yield Label(_("Correct an answer"), classes="dialog-title")
            yield Label(_("Question"))
            yield Select(self._choices(), prompt=_("Choose the answer to correct"), id="question")
            yield Static("", id="current")
            yield Label(_("New answer (as the person would type it)"))
            yield Input(id="value")
            yield Label(_("Reason"))
            yield Input(id="reason", max_length=review.REASON_MAX_LENGTH)
            yield from self.buttons(_("Save"))

    @on(Select.Changed, "#question")
    def _chosen(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK:
            return
        path = str(event.value)
        question = self.questionnaire.question(Path.parse(path).name)
        stored = self.view.answer_values().get(path)
        now = "—"
        if stored is not None:
            try:
                now = values.display(
                    question,
                    values.decode(question, stored),
                    self.questionnaire,
                    current(),
                )
            except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError):
                now = str(stored)  # a value of the wrong form, written past the program
        # The stored answer may have come from an import: cleaned, and a Text, not markup.
        self.query_one("#current", Static).update(
            Text(_("Now: %(value)s") % {"value": shown(now, multiline=True)})
        )
        self.query_one("#value", Input).value = shown(_typed(question, stored))

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        if self._saving:
            return
        chosen = self.query_one("#question", Select).value
        if chosen is Select.BLANK:
            self.refuse(_("Choose the answer to correct."))
            return
        path = Path.parse(str(chosen))
        questionnaire = self.questionnaire
        tr = current()
        try:
            parsed, error = self._form().check(path, self.query_one("#value", Input).value)
        except FormError as exc:
            self.refuse(exc.message.render(tr))
            return
        if error is not None:
            self.refuse(error.render(tr))
            return
        question = questionnaire.question(path.name)
        self.save(
            partial(
                review.correct_answer,
                self.review_app.db,
                record_id=self.record_id,
                actor_id=self.review_app.actor_id,
                path=str(path),
                value=None if parsed is None else values.encode(question, parsed),
                reason=self.query_one("#reason", Input).value,
            ),
            _("The answer is corrected."),
        )


def _typed(question: Question, stored: Any) -> str:
    """A stored answer as a person would type it again (as its type says: dates as
    day.month.year, codes apart by commas)."""
    if stored is None:
        return ""
    try:
        value = values.decode(question, stored)
    except (ValueError, TypeError):
        return str(stored)
    return question.kind.typed(value)


class StatusDialog(_Dialog):
    """The statuses this record may move to, one button each. Sending it back for
    clarification takes a comment, typed here first."""

    def __init__(self, record_id: uuid.UUID, status: Status) -> None:
        super().__init__()
        self.record_id = record_id
        self.status = status

    def compose(self) -> ComposeResult:
        tr = current()
        with DialogBox():
            yield Label(_("Change the status"), classes="dialog-title")
            yield Static(_("Now: %(value)s") % {"value": review.status_msg(self.status).render(tr)})
            with Horizontal(classes="buttons"):
                for target in review.TRANSITIONS[self.status]:
                    yield Button(
                        review.status_msg(target).render(tr).capitalize(),
                        name=target.value,
                        classes="to-status",
                    )
            if Status.sent_back in review.TRANSITIONS[self.status]:
                yield Label(_("To send it back: what should be cleared up?"))
                yield TextArea(id="comment")
            yield Static("", classes="error dialog-error")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel")

    @on(Button.Pressed, ".to-status")
    def _move(self, event: Button.Pressed) -> None:
        target = Status(event.button.name or "")
        db, record_id, actor_id = self.review_app.db, self.record_id, self.review_app.actor_id
        work: Callable[[], object]
        if target is Status.sent_back:
            box = self.query_one("#comment", TextArea)
            comment = box.text
            if not comment.strip():  # say so at once, where it is to be typed
                self.refuse(_(review.SENT_BACK_NEEDS_COMMENT))
                box.focus()
                return
            work = partial(
                review.send_back, db, record_id=record_id, actor_id=actor_id, comment=comment
            )
        else:
            work = partial(
                review.set_status, db, record_id=record_id, actor_id=actor_id, status=target
            )
        self.save(
            work,
            _("The status is now %(status)s.")
            % {"status": review.status_msg(target).render(current())},
        )


class SettlementDialog(_Dialog):
    """The day the person was settled in the municipality; empty clears it."""

    def __init__(self, record_id: uuid.UUID, settled: dt.date | None) -> None:
        super().__init__()
        self.record_id = record_id
        self.settled = settled

    def compose(self) -> ComposeResult:
        with DialogBox():
            yield Label(_("Settled in the municipality"), classes="dialog-title")
            yield Label(
                _(
                    "The day (YYYY-MM-DD), from which the career guidance's deadline is reckoned. Empty: not settled yet."
                )
            )
            yield Input(
                value="" if self.settled is None else self.settled.isoformat(),
                placeholder="YYYY-MM-DD",
                max_length=10,
                id="settled",
            )
            yield from self.buttons(_("Save"))

    def on_mount(self) -> None:
        self.query_one("#settled", Input).focus()

    @on(Input.Submitted, "#settled")
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        typed = self.query_one("#settled", Input).value.strip()
        try:
            day = dt.date.fromisoformat(typed) if typed else None
        except ValueError:
            self.query_one(".dialog-error", Static).update(
                _("'%(day)s' is not a day; write it as YYYY-MM-DD.") % {"day": shown(typed)}
            )
            return
        self.save(
            partial(
                review.set_settlement_date,
                self.review_app.db,
                record_id=self.record_id,
                actor_id=self.review_app.actor_id,
                settlement_date=day,
            ),
            _("Saved."),
        )
