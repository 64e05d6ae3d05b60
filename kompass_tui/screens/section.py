"""One section of the questionnaire: its visible questions, back and next."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, Label, Static

from kompass_tui.i18n import _, current
from kompass_tui.screens.base import KioskScreen
from kompass_tui.widgets.chrome import NavBar, TopBar
from kompass_tui.widgets.questions import CodePicker, QuestionField, RepeatField, field_for
from sporreskjema import Question, values


class QuestionsScreen(KioskScreen):
    """Questions answered and saved one by one; shared by sections and repeat entries."""

    def questions(self) -> list[tuple[Question, str]]:
        raise NotImplementedError

    def is_shown(self, question: Question) -> bool:
        raise NotImplementedError

    def compose_fields(self) -> ComposeResult:
        form = self.registration.form
        for question, path in self.questions():
            titles = self.entry_titles(question) if question.type == "repeat" else None
            value = form.get(path) if question.holds_value else None
            field = field_for(question, path, value, form.questionnaire, titles=titles)
            field.display = self.is_shown(question)
            yield field

    def entry_titles(self, group: Question) -> list[str]:
        form = self.registration.form
        tr = current()
        titles = []
        for entry in form.entries(group.name):
            title = ""
            if group.entry_title:
                title = values.display(
                    form.questionnaire.question(group.entry_title),
                    entry.get(group.entry_title),
                    form.questionnaire,
                    tr,
                )
            titles.append(title or _("(not filled in yet)"))
        return titles

    @on(QuestionField.Answered)
    def _answered(self, event: QuestionField.Answered) -> None:
        event.stop()
        field = event.field
        error = self.registration.answer(field.path, event.raw)
        if error is not None:
            field.show_error(error.render(current()))
            return
        field.value = self.registration.form.get(field.path)
        field.show_error(None)
        if isinstance(field, CodePicker):
            field.refresh_choice()
        self.update_visibility()
        for note in self.query("#nav-note").results(Label):
            note.update(self.code_note())
        self.kiosk.touch()

    def code_note(self) -> str:
        """The resume code, once there is a record: the person may need it to continue later."""
        code = self.registration.resume_code
        if not code:
            return ""
        from kompass_tui.storage.records import format_resume_code

        return _("Your code: %(code)s") % {"code": format_resume_code(code)}

    def update_visibility(self) -> None:
        for field in self.query(QuestionField):
            field.display = self.is_shown(field.question)

    def commit_focused(self) -> None:
        """Confirm what is typed in the focused field before leaving the screen."""
        focused = self.focused
        if focused is None:
            return
        for ancestor in focused.ancestors_with_self:
            if isinstance(ancestor, QuestionField):
                ancestor.commit()
                return


class SectionScreen(QuestionsScreen):
    def __init__(self, index: int, *, from_summary: bool = False) -> None:
        super().__init__()
        self.index = index
        self.from_summary = from_summary

    @property
    def section_name(self) -> str:
        return self.registration.questionnaire.sections[self.index].name

    def questions(self) -> list[tuple[Question, str]]:
        section = self.registration.questionnaire.sections[self.index]
        return [(q, q.name) for q in section.questions]

    def is_shown(self, question: Question) -> bool:
        return self.registration.form.is_relevant(question)

    def compose(self) -> ComposeResult:
        questionnaire = self.registration.questionnaire
        section = questionnaire.sections[self.index]
        yield TopBar(_(section.title), step=self.index + 1, steps=len(questionnaire.sections))
        with VerticalScroll(id="body"):
            if section.help:
                yield Static(_(section.help), classes="section-help")
            yield from self.compose_fields()
        if self.from_summary:
            yield NavBar(back=None, next_=_("Back to the summary"), note=self.code_note())
        else:
            yield NavBar(
                back=_("Back") if self.index > 0 else None, next_=_("Next"), note=self.code_note()
            )

    def on_mount(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#next")
    def _next(self) -> None:
        self.commit_focused()
        self.call_after_refresh(self.forward)

    def forward(self) -> None:
        """The next button: on to the next section (or back to the summary)."""
        last = len(self.registration.questionnaire.sections) - 1
        self.kiosk.go_to(last if self.from_summary else self.index + 1)

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.commit_focused()
        self.call_after_refresh(self.kiosk.go_to, self.index - 1)

    @on(RepeatField.EditEntry)
    def _edit_entry(self, event: RepeatField.EditEntry) -> None:
        event.stop()
        group = event.field.question.name
        from sporreskjema import FormError

        if event.index is None:
            try:
                index = self.registration.add_entry(group)
            except FormError as exc:
                event.field.show_error(exc.message.render(current()))
                return
        else:
            index = event.index
        from kompass_tui.screens.entry import EntryScreen

        self.app.push_screen(EntryScreen(group, index), self._entry_done)

    async def _entry_done(self, _result: None) -> None:
        await self.rebuild()

    @on(RepeatField.RemoveEntry)
    async def _remove_entry(self, event: RepeatField.RemoveEntry) -> None:
        event.stop()
        error = self.registration.remove_entry(event.field.question.name, event.index)
        if error is not None:
            event.field.show_error(error.render(current()))
            return
        await self.rebuild()
