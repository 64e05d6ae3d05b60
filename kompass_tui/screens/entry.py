"""One entry of a repeat group (a language, a school, a job, a course)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button

from kompass_tui.i18n import _
from kompass_tui.screens.section import QuestionsScreen
from kompass_tui.widgets.chrome import NavBar, TopBar
from sporreskjema import Question


class EntryScreen(QuestionsScreen):
    def __init__(self, group: str, index: int) -> None:
        super().__init__()
        self.group = group
        self.index = index

    def questions(self) -> list[tuple[Question, str]]:
        group = self.registration.questionnaire.question(self.group)
        return [(q, f"{self.group}[{self.index}].{q.name}") for q in group.questions]

    def is_shown(self, question: Question) -> bool:
        form = self.registration.form
        return form.is_relevant(question, form.entries(self.group)[self.index])

    def compose(self) -> ComposeResult:
        group = self.registration.questionnaire.question(self.group)
        yield TopBar(f"{_(group.label)} · {self.index + 1}")
        with VerticalScroll(id="body"):
            yield from self.compose_fields()
        yield NavBar(back=None, next_=_("Done"), note=self.code_note())

    def on_mount(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#next")
    def _done(self) -> None:
        self.commit_focused()
        self.call_after_refresh(self._close)

    def _close(self) -> None:
        self.registration.drop_empty_entries(self.group)
        self.dismiss(None)
