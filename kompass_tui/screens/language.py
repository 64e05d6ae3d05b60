"""The language picker: every language in its own name and script."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets.option_list import Option

from kompass_tui.i18n import _
from kompass_tui.widgets.visual import Button, Label, OptionList
from sporreskjema.i18n import available_locales, own_name


class LanguageScreen(Screen[str]):
    """Choose a language. At the start it begins a registration; later it switches language."""

    def __init__(self, *, switching: bool = False) -> None:
        super().__init__()
        self.switching = switching

    def compose(self) -> ComposeResult:
        with Vertical(id="language-box"):
            yield Label("Kompass", id="language-title")
            # The prompt in the two languages of the country; each language below names itself.
            yield Label(_("Choose your language") + " · Choose your language", id="language-prompt")
            yield OptionList(
                *(Option(own_name(code), id=code) for code in available_locales()), id="languages"
            )
            if self.switching:
                yield Button(_("Back"), id="cancel")
            else:
                yield Button(_("Continue an unfinished registration"), id="resume")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        code = event.option.id
        assert code is not None
        if self.switching:
            self.dismiss(code)
        else:
            from kompass_tui.wizard_app import WizardApp

            assert isinstance(self.app, WizardApp)
            self.app.start(code)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss("")

    @on(Button.Pressed, "#resume")
    def _resume(self) -> None:
        from kompass_tui.screens.resume import ResumeScreen

        self.app.push_screen(ResumeScreen())
