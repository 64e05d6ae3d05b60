"""The one-widget radio list (the calendar of the person's papers): keys, clicks, long labels
that go on beside their button, and right-to-left screens with the buttons on the right."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from kompass_tui.i18n import set_locale
from kompass_tui.widgets.choice import RadioChoice

OPTIONS = [
    ("short", "One"),
    ("long", "A label much too long to stay on one line beside its button"),
    ("third", "Three"),
]
#: Arabic labels: the buttons must be on the right, the labels read from the right.
ARABIC = [("a", "التقويم الميلادي"), ("b", "التقويم الهجري الشمسي"), ("c", "التقويم الإثيوبي")]


class _ChoiceApp(App[None]):
    def __init__(self, options: list[tuple[str, str]], chosen: str | None) -> None:
        super().__init__()
        self.options = options
        self.chosen = chosen
        self.changes: list[str] = []

    def compose(self) -> ComposeResult:
        yield RadioChoice(self.options, self.chosen)

    def on_radio_choice_changed(self, event: RadioChoice.Changed) -> None:
        self.changes.append(event.value)


def lines(app: App[None]) -> list[str]:
    return [strip.text.rstrip() for strip in app.screen._compositor.render_strips()]


async def test_arrows_move_and_enter_or_space_chooses_from_the_option_chosen() -> None:
    app = _ChoiceApp(OPTIONS, "third")
    async with app.run_test(size=(40, 10)) as pilot:
        choice = app.query_one(RadioChoice)
        choice.focus()
        assert choice.highlighted == 2  # the highlight starts at the option chosen
        await pilot.press("down", "enter")  # past the last: round to the first
        assert (choice.chosen, app.changes) == ("short", ["short"])
        await pilot.press("enter")  # the same option again is no change
        assert app.changes == ["short"]
        await pilot.press("up", "up", "space")
        assert (choice.chosen, app.changes) == ("long", ["short", "long"])


async def test_a_long_label_goes_on_beside_its_button_and_each_of_its_lines_chooses_it() -> None:
    app = _ChoiceApp(OPTIONS, None)
    async with app.run_test(size=(40, 10)) as pilot:
        choice = app.query_one(RadioChoice)
        shown = lines(app)
        assert shown[0] == "▐●▌ One"
        assert shown[1].startswith("▐●▌ A label")
        assert shown[2].startswith("    ")
        assert shown[2].strip()
        assert "…" not in "".join(shown)
        third = choice.line_of("third")
        assert third > 2
        assert shown[third] == "▐●▌ Three"
        await pilot.click(choice, offset=(5, 2))  # the long label's second line
        assert choice.chosen == "long"
        await pilot.click(choice, offset=(1, third))
        assert (choice.chosen, app.changes) == ("third", ["long", "third"])


@pytest.mark.parametrize("width", [60, 20])
async def test_on_a_right_to_left_screen_the_buttons_are_on_the_right(width: int) -> None:
    set_locale("ar")
    app = _ChoiceApp(ARABIC, "b")
    async with app.run_test(size=(width, 10)) as pilot:
        choice = app.query_one(RadioChoice)
        shown = lines(app)
        for value, _label in ARABIC:
            line = shown[choice.line_of(value)]
            assert line.endswith("▐●▌"), line
            assert line.startswith(" ")  # the blanks that fill the line are on the left
        await pilot.click(choice, offset=(width - 2, choice.line_of("c")))
        assert choice.chosen == "c"
