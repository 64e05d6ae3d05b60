"""One section of the questionnaire, one question at a time.

A page shows one question (with any notes just before it), so a person who reads little
sees one thing to answer, in large type, with Back and Next. Which pages there are
follows the answers: a follow-up question appears only when it applies.
"""

from __future__ import annotations

from typing import Final

from textual import on
from textual.app import ComposeResult
from textual.containers import Container, VerticalScroll

from kompass_tui.i18n import N_, Msg, _, current
from kompass_tui.storage.records import format_resume_code
from kompass_tui.widgets.chrome import NavBar, TopBar, both
from kompass_tui.widgets.questions import (
    NOTHING,
    CalendarField,
    CodePicker,
    ConfirmField,
    QuestionField,
    RepeatField,
    field_class,
    field_for,
)
from kompass_tui.widgets.spoken import plain
from kompass_tui.widgets.visual import Button, Static
from kompass_tui.wizard.mirror import Mirror, Page, page_text
from kompass_tui.wizard.screens.base import RegistrationScreen
from sporreskjema import FormError, Question, values
from sporreskjema.i18n import Translator
from sporreskjema.text import shown as text_shown

#: ``start_at`` value that opens a screen at its last page (coming back from the next section).
LAST_PAGE: Final = "<last>"


class QuestionsScreen(RegistrationScreen):
    """Pages of questions, each answer saved as it is confirmed; sections and entries share it."""

    #: No cursor on the first widget (the language button) before the page puts it in its
    #: question: a key pressed on what the screen shows would go elsewhere.
    AUTO_FOCUS = ""

    def __init__(self, *, start_at: str | None = None, notice: Msg | None = None) -> None:
        super().__init__()
        #: The path of the question the current page is about (its key).
        self.page_key = start_at
        #: Said at the top of the first page shown (why the person was brought here).
        self.notice = notice
        #: The questions shown now.
        self.page: Page = []
        #: Why the last answer to a question was refused, by path (for the mirror).
        self.errors: dict[str, Msg] = {}

    # ---------------------------------------------------------------- what to show

    def items(self) -> Page:
        raise NotImplementedError

    def is_shown(self, question: Question) -> bool:
        raise NotImplementedError

    def heading(self) -> str:
        return self.heading_in(current())

    def heading_in(self, tr: Translator) -> str:
        raise NotImplementedError

    def step(self) -> tuple[int, int] | None:
        return None

    def pages(self) -> list[Page]:
        """Visible questions, one to a page, each with the notes that come right before it."""
        pages: list[Page] = []
        notes: Page = []
        for question, path in self.items():
            if not self.is_shown(question):
                continue
            if question.kind.is_note:
                notes.append((question, path))
                continue
            pages.append([*notes, (question, path)])
            notes = []
        if notes:
            pages.append(notes)
        return pages or [[]]

    def page_index(self, pages: list[Page]) -> int:
        if self.page_key == LAST_PAGE:
            return len(pages) - 1
        for index, page in enumerate(pages):
            if any(path == self.page_key for _question, path in page):
                return index
        return 0

    def next_label(self, last_page: bool) -> str:
        """The message id of the Next button's label."""
        return N_("Next")

    def has_back(self, first_page: bool) -> bool:
        return True

    # ---------------------------------------------------------------- building

    def compose(self) -> ComposeResult:
        pages = self.pages()
        index = self.page_index(pages)
        self.page_key = pages[index][-1][1] if pages[index] else None
        self.page = pages[index]
        yield TopBar(
            self.heading(), step=self.step(), page=(index + 1, len(pages)), note=self.code_note()
        )
        companion = self.wizard.companion
        if companion is None:
            with VerticalScroll(id="body"):
                yield from self.body(pages[index])
        else:
            with Container(id="pages"):
                with VerticalScroll(id="body"):
                    yield from self.body(pages[index])
                yield Mirror(companion)
        yield NavBar(
            back=N_("Back") if self.has_back(index == 0) else None,
            next_=self.next_label(index == len(pages) - 1),
            keys=self.keys(pages[index]),
        )

    def clarification(self) -> list[Static]:
        """On a record the review sent back, what to clear up: on top of every page and of
        the summary, in the person's language and the caseworker's."""
        asked = self.registration.clarification
        if asked is None:
            return []
        heading = both(self.app, N_("Sent back for clarification"))
        text = heading + "\n" + text_shown(asked, multiline=True)
        return [Static(text, classes="page-notice clarification")]

    def body(self, page: Page) -> list[Static | QuestionField]:
        """The page's questions, after the notice that brought the person here, if any."""
        notice = self.notice
        shown: list[Static | QuestionField] = [*self.clarification()]
        if notice is not None:
            shown.append(Static(notice.render(current()), classes="page-notice question-error"))
        return [*shown, *self.fields(page)]

    @classmethod
    def keys(cls, page: Page) -> str:
        """The keys that work on the page, for the bottom bar."""
        kinds = [field_class(question) for question, _path in page if not question.kind.is_note]
        return cls.keys_text(kinds[-1].KEYS if kinds else QuestionField.KEYS)

    @staticmethod
    def keys_text(keys: tuple[str, ...]) -> str:
        return "  ·  ".join(_(key) for key in keys)

    def fields(self, page: Page) -> list[QuestionField]:
        form = self.registration.form
        made = []
        for question, path in page:
            titles = self.entry_titles(question) if question.kind.container else None
            value = form.get(path) if question.holds_value else None
            field = field_for(question, path, value, form.questionnaire, titles=titles)
            if isinstance(field, CalendarField):
                field.calendar = self.registration.calendar
                field.written = form.written(path) if value is not None else None
            made.append(field)
        return made

    def on_mount(self) -> None:
        if self.notice is not None:
            self.show_missing()
        self.refresh_mirror()
        self.focus_question()

    async def rebuild(self) -> None:
        """Build the page again (another language): the cursor goes back to the question."""
        await super().rebuild()
        if self.notice is not None:
            self.show_missing()
        self.refresh_mirror()
        self.focus_question()

    def show_missing(self) -> None:
        """Say at each question on the page that still needs an answer what it needs."""
        for field in self.query(QuestionField):
            self.say_missing(field)

    def say_missing(self, field: QuestionField) -> bool:
        """Say at ``field`` that its answer is still needed, if it is; whether it is."""
        missing = self.registration.form.missing(field.path)
        if missing is None:
            return False
        self.errors[field.path] = missing
        field.show_error(missing.render(current()), missing=True)
        field.scroll_visible(animate=False)
        self.refresh_mirror()
        return True

    def refresh_mirror(self) -> None:
        """Draw the page again on the companion's side (the assisted desk only)."""
        companion = self.wizard.companion
        if companion is None:
            return
        text = page_text(
            companion, self.heading_in(companion), self.page, self.registration, self.errors
        )
        self.query_one(Mirror).show(text)

    def focus_question(self) -> None:
        """Put the cursor in the page's question, so the person can answer at once: now, not
        after the next screen update (a key pressed meanwhile would go elsewhere)."""
        for field in self.query(QuestionField):
            target = field.focus_target()
            if target is not None:
                self.set_focus(target)
                return
        self.set_focus(self.query_one("#next", Button))

    def spoken(self) -> list[str]:
        """Read aloud: what the person was brought here for, then the page's questions."""
        parts = [self.notice.render(current())] if self.notice is not None else []
        for field in self.query_one("#body", VerticalScroll).children:
            if isinstance(field, QuestionField):
                parts += field.spoken()
            elif isinstance(field, Static):
                parts.append(plain(field.content))
        return parts

    async def show_page(self, key: str | None) -> None:
        """Show the page of question ``key``: only the question is mounted anew."""
        self.wizard.stop_speaking()
        self.page_key = key
        pages = self.pages()
        index = self.page_index(pages)
        self.page_key = pages[index][-1][1] if pages[index] else None
        self.page = pages[index]
        self.notice = None  # it was about the page the person was brought to
        body = self.query_one("#body", VerticalScroll)
        # No cursor while the page turns: when the focused field goes, Textual would give the
        # cursor to the body for a moment, and styling the body and all its fields again for
        # it was a third of a page turn's styling. What the field held is saved already.
        self.set_focus(None)
        with self.app.batch_update():
            await body.remove_children()
            await body.mount_all(self.body(pages[index]))  # what to clear up stays on top
            body.scroll_home(animate=False)
            self.query_one(TopBar).show(page=(index + 1, len(pages)))
            self.query_one(NavBar).show(
                back=N_("Back") if self.has_back(index == 0) else None,
                next_=self.next_label(index == len(pages) - 1),
                keys=self.keys(pages[index]),
            )
        self.refresh_mirror()
        self.focus_question()

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

    def code_note(self) -> str:
        """The resume code, once there is a record: the person may need it to continue later."""
        code = self.registration.resume_code
        return _("Your code: %(code)s") % {"code": format_resume_code(code)} if code else ""

    # ---------------------------------------------------------------- answering

    def apply(self, field: QuestionField, raw: object) -> bool:
        """Check and save one answer and show the outcome at the field; True when saved."""
        error = self.registration.answer(field.path, raw)
        self.wizard.touch()
        if error is not None:
            self.errors[field.path] = error
            field.show_error(error.render(current()))
            self.refresh_mirror()
            return False
        self.errors.pop(field.path, None)
        if isinstance(field, CalendarField):
            field.written = self.registration.form.written(field.path)
        field.show_value(self.registration.form.get(field.path))
        field.show_error(None)
        if isinstance(field, CodePicker):
            field.refresh_choice()
        bar = self.query_one(TopBar)
        note = self.code_note()
        if note and not bar.note:
            self.explain_code()
        bar.show(note=note)
        self.refresh_mirror()
        return True

    def explain_code(self) -> None:
        """The code is new: say above the question what it is for, and to write it down (the
        top bar keeps the code itself, on every page)."""
        code = format_resume_code(self.registration.resume_code or "")
        text = _(
            "Your code is %(code)s. Write it down. If you stop before you are done, the code "
            "and your date of birth let you continue later."
        ) % {"code": code}
        body = self.query_one("#body", VerticalScroll)
        body.mount(Static(text, classes="page-notice code-note"), before=0)

    @on(CalendarField.CalendarChosen)
    def _calendar_chosen(self, event: CalendarField.CalendarChosen) -> None:
        """The calendar of the person's papers, for every date and year from now on."""
        event.stop()
        self.registration.choose_calendar(event.calendar)
        self.wizard.touch()
        self.refresh_mirror()

    @on(QuestionField.Answered)
    async def _answered(self, event: QuestionField.Answered) -> None:
        """An answer confirmed, or Enter to go on (then a required answer must be there: an
        empty Enter is no way past a question the person must answer; Next is)."""
        event.stop()
        field = event.field
        if not field.is_attached:
            # Its page is gone (Tab, Tab, Enter typed in one go: the answer confirmed as the
            # field was left arrives after Next); what it held was saved as the page left.
            return
        if event.raw is not NOTHING and not self.apply(field, event.raw):
            return
        if not event.advance:
            return
        if not self.say_missing(field):
            await self.go_forward()

    def commit_page(self) -> bool:
        """Confirm what is typed but not yet confirmed; False when an answer is wrong."""
        saved = True
        for field in self.query(QuestionField):
            raw = field.pending()
            if raw is not NOTHING:
                saved = self.apply(field, raw) and saved
        return saved and not any(field.has_class("-invalid") for field in self.query(QuestionField))

    # ---------------------------------------------------------------- moving

    def _neighbour(self, step: int) -> str | None:
        """The key of the next (``step`` > 0) or previous page, after the answers just given
        (the current question itself may have been hidden by them)."""
        order = [path for _question, path in self.items()]
        keys = [page[-1][1] for page in self.pages() if page]
        here = order.index(self.page_key) if self.page_key in order else -1
        if step > 0:
            later = [key for key in keys if order.index(key) > here]
            return later[0] if later else None
        earlier = [key for key in keys if order.index(key) < here]
        return earlier[-1] if earlier else None

    async def go_forward(self) -> None:
        if not self.commit_page():
            return
        for field in self.query(ConfirmField):  # a box to tick, such as the consent to begin
            if self.say_missing(field):
                if (target := field.focus_target()) is not None:
                    target.focus()
                return
        key = self._neighbour(+1)
        if key is None:
            await self.leave_forward()
        else:
            await self.show_page(key)

    async def go_back(self) -> None:
        if not self.commit_page():
            return
        key = self._neighbour(-1)
        if key is None:
            await self.leave_back()
        else:
            await self.show_page(key)

    async def leave_forward(self) -> None:
        raise NotImplementedError

    async def leave_back(self) -> None:
        raise NotImplementedError

    @on(Button.Pressed, "#next")
    async def _next(self) -> None:
        await self.go_forward()

    @on(Button.Pressed, "#back")
    async def _back(self) -> None:
        await self.go_back()


class SectionScreen(QuestionsScreen):
    def __init__(
        self,
        index: int,
        *,
        start_at: str | None = None,
        from_summary: bool = False,
        notice: Msg | None = None,
    ) -> None:
        super().__init__(start_at=start_at, notice=notice)
        self.index = index
        self.from_summary = from_summary

    def items(self) -> Page:
        section = self.registration.questionnaire.sections[self.index]
        return [(q, q.name) for q in section.questions]

    def is_shown(self, question: Question) -> bool:
        return self.registration.form.is_relevant(question)

    def heading_in(self, tr: Translator) -> str:
        return tr.gettext(self.registration.questionnaire.sections[self.index].title)

    def step(self) -> tuple[int, int] | None:
        return self.index + 1, len(self.registration.questionnaire.sections)

    def next_label(self, last_page: bool) -> str:
        return N_("Back to the summary") if self.from_summary and last_page else N_("Next")

    def has_back(self, first_page: bool) -> bool:
        return not (first_page and self.index == 0)

    async def leave_forward(self) -> None:
        last = len(self.registration.questionnaire.sections) - 1
        self.wizard.go_to(last if self.from_summary else self.index + 1)

    async def leave_back(self) -> None:
        if self.index > 0:
            self.wizard.go_to(self.index - 1, start_at=LAST_PAGE)

    @on(RepeatField.EditEntry)
    def _edit_entry(self, event: RepeatField.EditEntry) -> None:
        event.stop()
        group = event.field.question.name
        if event.index is None:
            try:
                index = self.registration.add_entry(group)
            except FormError as exc:
                event.field.show_error(exc.message.render(current()))
                return
        else:
            index = event.index
        from kompass_tui.wizard.screens.entry import EntryScreen  # it builds on this module

        self.app.push_screen(EntryScreen(group, index), self._entry_done)

    async def _entry_done(self, _result: None) -> None:
        await self.show_page(self.page_key)

    @on(RepeatField.RemoveEntry)
    async def _remove_entry(self, event: RepeatField.RemoveEntry) -> None:
        event.stop()
        error = self.registration.remove_entry(event.field.question.name, event.index)
        if error is not None:
            event.field.show_error(error.render(current()))
            return
        await self.show_page(self.page_key)
