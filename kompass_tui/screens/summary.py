"""Every answer, grouped by section, each section one step from being changed; then send."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll

from kompass_tui.i18n import N_, Msg, _, current
from kompass_tui.screens.section import LAST_PAGE, SectionScreen
from kompass_tui.widgets.chrome import NavBar, TopBar
from kompass_tui.widgets.mirror import Mirror, summary_text
from kompass_tui.widgets.visual import Button, Label, Static
from sporreskjema.engine import SummaryItem


class SummaryScreen(SectionScreen):
    """The last section: the summary of every answer, its own questions, and Send."""

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
        yield NavBar(back=_("Back"), next_=_("Send"))

    def _body(self) -> ComposeResult:
        questionnaire = self.registration.questionnaire
        section = questionnaire.sections[self.index]
        names = [s.name for s in questionnaire.sections]
        if section.help:
            yield Static(_(section.help), classes="section-help")
        for part in self.registration.form.summary(current()):
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
            yield Static(f"{indent}{item.label}: {item.text or '—'}", classes="summary-row")
            if item.error:
                yield Static(f"{indent}  {item.error}", classes="summary-error")
        for entry in item.entries:
            yield Static(f"{indent}  {entry.title}", classes="summary-entry")
            for child in entry.items:
                yield from self._item(child, depth + 2)

    def on_mount(self) -> None:
        self.query_one("#send-error").display = False
        self.refresh_mirror()
        self.query_one("#next").focus()

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
        index = int((event.button.name or "section-0").split("-")[1])
        self.wizard.go_to(index, from_summary=True)

    async def go_forward(self) -> None:
        """Send: only a complete registration goes; otherwise say what is missing."""
        if not self.commit_page():
            return
        error = self.registration.submit()
        shown = self.query_one("#send-error", Static)
        if error is not None:
            self.send_error = Msg(N_("Not sent yet: %(reason)s"), {"reason": error})
            shown.update(self.send_error.render(current()))
            shown.display = True
            self.refresh_mirror()
            return
        self.wizard.finished()

    async def go_back(self) -> None:
        if self.commit_page():
            self.wizard.go_to(self.index - 1, start_at=LAST_PAGE)
