"""The language picker: every language in its own name and script."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets.option_list import Option

from kompass_tui.i18n import N_, _
from kompass_tui.widgets.host import Host
from kompass_tui.widgets.visual import Button, Label, OptionList
from kompass_tui.wizard.host import WizardHost
from sporreskjema.i18n import available_locales, own_name, translator


def resume_label() -> str:
    """The picker's button to continue a registration: like the prompt, in the two languages
    of the country (the English kept short to fit 80 columns); the resume screen then speaks
    the language chosen next."""
    return _("Continue an unfinished registration") + " · Continue with a code"


#: What the picker says after the language's name, in that language.
_CHOOSE = N_("Choose your language")


class LanguageScreen(Screen[str]):
    """Choose a language. At the start it begins a registration; later it switches language
    (it then dismisses with the language's code, or ``""`` for Back)."""

    wizard = Host(WizardHost)

    def __init__(self, *, switching: bool = False, highlight: str | None = None) -> None:
        """``highlight``: the language the list opens at (the one spoken so far)."""
        super().__init__()
        self.switching = switching
        self.highlight = highlight

    def compose(self) -> ComposeResult:
        with Vertical(id="language-box"):
            yield Label("Kompass", id="language-title")
            # The prompt in the two languages of the country; each language below names itself.
            yield Label(_("Choose your language") + " · Choose your language", id="language-prompt")
            if self.wizard.speaks():
                yield self._speak_button()
            yield OptionList(
                *(Option(own_name(code), id=code) for code in available_locales()), id="languages"
            )
            if self.switching:
                yield Button(_("Back"), id="cancel")
            else:
                yield Button(resume_label(), id="resume")

    @staticmethod
    def _speak_button() -> Button:
        # No words: the person has not chosen a language yet, and may not read.
        return Button("🔊 F5", id="speak-button", compact=True)

    def offer_reading(self) -> None:
        """Sound was found after the picker was shown: the button to hear it comes now."""
        if not self.query("#speak-button"):
            self.query_one("#language-box").mount(self._speak_button(), before="#languages")

    def spoken_in(self) -> str | None:
        """Read aloud, the picker says the language the cursor is on, in that language."""
        return self.highlighted_locale()

    def spoken(self) -> list[str]:
        code = self.highlighted_locale()
        if code is None:
            return []
        return [own_name(code), translator(code).gettext(_CHOOSE)]

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        self.set_focus(options)
        if self.highlight in available_locales():
            options.highlighted = available_locales().index(self.highlight)

    def on_screen_resume(self) -> None:
        """The picker shown again (for the next person, or back from resuming) starts at the
        top: the language left highlighted is not offered to the next person."""
        if not self.switching:
            self.query_one(OptionList).highlighted = 0

    def highlighted_locale(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        code = event.option.id
        assert code is not None
        if self.switching:
            self.dismiss(code)
        else:
            self.wizard.start(code)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss("")

    @on(Button.Pressed, "#resume")
    def _resume(self) -> None:
        """Ask the language first, so that the resume screen speaks it (the one highlighted
        here is offered)."""
        self.app.push_screen(
            LanguageScreen(switching=True, highlight=self.highlighted_locale()), self._resume_in
        )

    def _resume_in(self, locale: str | None) -> None:
        from kompass_tui.wizard.screens.resume import ResumeScreen  # it builds on this module

        if not locale:
            return
        self.wizard.use_locale(locale)
        self.app.push_screen(ResumeScreen())
