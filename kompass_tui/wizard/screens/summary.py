"""Every answer, grouped by section, each section one step from being changed; then send."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll

from kompass_tui.i18n import N_, Msg, _, current
from kompass_tui.widgets.chrome import NavBar, TopBar
from kompass_tui.widgets.visual import Button, Label, Static
from kompass_tui.wizard.mirror import Mirror, summary_text
from kompass_tui.wizard.screens.section import LAST_PAGE, SectionScreen
from sporreskjema.engine import SummaryItem
from sporreskjema.text import shown


class SummaryScreen(SectionScreen):
    """The last section: the summary of every answer, its own questions, and Send."""

    #: The keys that work on the summary, for the bottom bar.
    KEYS = (N_("Tab: move"), N_("Space: tick"), N_("Enter: press"))

    #: Why the last Send did not send.
    send_error: Msg | None = None

    def compose(self) -> ComposeResult:
        questionnaire = self.registration.questionnaire
        section = questionnaire.sections[self.index]
        names = [s.name for s in questionnaire.sections]
        yield TopBar(_(section.title), step=(self.index + 1, len(names)), note=self.code_note())
        companion = self.wizard.companion
        if companion is None:
            with VerticalScroll(id="body"):
                yield from self._body()
        else:
            with Container(id="pages"):
                with VerticalScroll(id="body"):
                    yield from self._body()
                yield Mirror(companion)
        yield NavBar(back=N_("Back"), next_=N_("Send"), keys=self.keys_text(self.KEYS))

    def _body(self) -> ComposeResult:
        questionnaire = self.registration.questionnaire
        section = questionnaire.sections[self.index]
        names = [s.name for s in questionnaire.sections]
        yield from self.clarification()
        if section.help:
            yield Static(_(section.help), classes="section-help")
        for part in self.registration.form.summary(current()):
            if part.name == section.name:
                continue  # its own questions are below, to answer
            with Vertical(classes="summary-section"):
                with Horizontal(classes="summary-heading"):
                    mark = "✓" if part.complete else "!"
                    yield Label(f"{mark} {part.title}", classes="summary-title")
                    yield Button(
                        _("Change"),
                        name=f"section-{names.index(part.name)}",
                        classes="summary-change",
                    )
                for item in part.items:
                    yield from self._item(item, depth=0)
        yield from self.fields([(q, q.name) for q in section.questions if self.is_shown(q)])
        yield Static("", id="send-error", classes="question-error")

    def _item(self, item: SummaryItem, depth: int) -> ComposeResult:
        indent = "  " * depth
        if item.entries:
            yield Static(f"{indent}{item.label}:", classes="summary-label")
        elif item.error and not item.text:
            missing = _("not answered")
            yield Static(f"{indent}{item.label}: — ({missing})", classes="summary-error")
        else:
            text = shown(item.text, multiline=True) or "—"
            yield Static(f"{indent}{item.label}: {text}", classes="summary-row")
            if item.error:
                yield Static(f"{indent}  {item.error}", classes="summary-error")
        for entry in item.entries:
            yield Static(f"{indent}  {shown(entry.title)}", classes="summary-entry")
            for child in entry.items:
                yield from self._item(child, depth + 2)

    def on_mount(self) -> None:
        self.query_one("#send-error").display = False
        self.refresh_mirror()
        self.set_focus(self.query_one("#next"))

    def refresh_mirror(self) -> None:
        companion = self.wizard.companion
        if companion is None:
            return
        error = "" if self.send_error is None else self.send_error.render(companion)
        self.query_one(Mirror).show(
            summary_text(companion, self.heading_in(companion), self.registration, error)
        )

    @on(Button.Pressed, ".summary-change")
    def _change(self, event: Button.Pressed) -> None:
        """Open the section where something is missing in it, else at its start."""
        index = int((event.button.name or "section-0").split("-")[1])
        section = self.registration.questionnaire.sections[index].name
        self.wizard.open_where_missing(section, from_summary=True)

    async def go_forward(self) -> None:
        """Send: only a complete registration goes. Otherwise the person is told what is
        missing and taken to the first of it; what is missing on this page is shown here."""
        if not self.commit_page():
            return
        form = self.registration.form
        errors = form.errors()
        if errors:
            labels: list[Msg] = []
            for error in errors:
                question = form.questionnaire.question(error.path.group or error.path.name)
                if question.label_msg() not in labels:
                    labels.append(question.label_msg())
            self.send_error = Msg(
                N_("Not sent yet. Still missing: %(missing)s."), {"missing": labels}
            )
            here = {
                question.name
                for question in self.registration.questionnaire.sections[self.index].questions
            }
            if all((e.path.group or e.path.name) in here for e in errors):
                self._show_send_error()
                self.show_missing()
                return
            self.wizard.open_where_missing(notice=self.send_error, from_summary=True)
            return
        refused = self.registration.submit()
        if refused is not None:  # the database refused it: nothing is lost, Send again
            self.send_error = Msg(N_("Not sent yet: %(reason)s"), {"reason": refused})
            self._show_send_error()
            return
        self.wizard.finished()

    def _show_send_error(self) -> None:
        assert self.send_error is not None
        shown = self.query_one("#send-error", Static)
        shown.update(self.send_error.render(current()))
        shown.display = True
        self.refresh_mirror()
        self.query_one("#body", VerticalScroll).scroll_to_widget(shown, animate=False)

    async def go_back(self) -> None:
        if self.commit_page():
            self.wizard.go_to(self.index - 1, start_at=LAST_PAGE)
