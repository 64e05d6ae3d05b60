"""One widget per widget kind, driven by the engine's question definitions.

Each question type names its widget kind in the registry (:mod:`sporreskjema.types`);
:data:`WIDGETS` has the widget of each kind, so a new type that is typed in one line, chosen
from a code list or ticked needs nothing here.

Every field shows the question's label and help in the current language, an input
made for its type, and the error message of its last answer. When the person
confirms an answer (Enter, leaving the field, choosing an option) the field posts
:class:`QuestionField.Answered`; the screen checks and saves it and sets the error.
"Attributes down, messages up": fields never talk to storage or to each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import RadioSet
from textual.widgets.option_list import Option

from kompass_tui.i18n import N_, _, current
from kompass_tui.widgets.choice import RadioChoice
from kompass_tui.widgets.spoken import plain
from kompass_tui.widgets.visual import (
    Button,
    Checkbox,
    Input,
    Label,
    OptionList,
    RadioButton,
    SelectionList,
    Static,
)
from kompass_tui.widgets.visual_large import TextArea
from sporreskjema import Question, Questionnaire, calendars, cldr, values
from sporreskjema.calendars import Calendar, Typed, Written
from sporreskjema.i18n import Msg

#: "No answer waiting to be confirmed" (``None`` is a real answer: a cleared field).
NOTHING: Any = object()


class QuestionField(Vertical):
    """The label, help, input and error message of one question."""

    DEFAULT_CLASSES = "question"

    class Answered(Message):
        """The person confirmed an answer (``raw`` as typed or chosen); ``advance``: and wants
        the next question (Enter in a text field)."""

        def __init__(self, field: QuestionField, raw: Any, advance: bool = False) -> None:
            super().__init__()
            self.field = field
            self.raw = raw
            self.advance = advance

    def __init__(
        self, question: Question, path: str, value: Any, questionnaire: Questionnaire
    ) -> None:
        super().__init__(id=f"q-{path.replace('[', '-').replace('].', '-')}")
        self.question = question
        self.path = path
        self.value = value
        self.questionnaire = questionnaire

    def heading(self, *, mark_required: bool = True) -> Text:
        """The label in bold (with * when an answer is required) and the help text below it.

        One widget for both: every widget on a page costs time at each keystroke.
        """
        text = Text(_(self.question.label), style="bold")
        if mark_required and self.question.required:
            text.append(" ")
            text.append("*", style="bold")
        if self.question.help:
            text.append("\n")
            text.append(_(self.question.help), style="dim")
        return text

    def spoken(self) -> list[str]:
        """What the question says when read aloud: its label, its help, its choices and the
        error under it, if there is one."""
        parts = [_(self.question.label)]
        if self.question.help:
            parts.append(_(self.question.help))
        if self.question.choices:
            parts += [
                _(choice.label) for choice in self.questionnaire.choice_list(self.question.choices)
            ]
        parts += [plain(error.content) for error in self.query(".question-error").results(Static)]
        return parts

    def compose(self) -> ComposeResult:
        yield Static(self.heading(), classes="question-heading")
        yield from self.compose_input()
        yield Static("", classes="question-error")

    def compose_input(self) -> ComposeResult:
        yield from ()

    def show_error(self, message: str | None, *, missing: bool = False) -> None:
        """Show ``message`` under the field (``None`` clears it). ``missing``: it says that an
        answer is still needed, which does not keep the person from going on with Next (a
        wrong answer does, until it is put right or cleared)."""
        for error in self.query(".question-error").results(Static):
            error.update(message or "")
        self.set_class(bool(message) and not missing, "-invalid")
        self.set_class(bool(message) and missing, "-missing")

    def answer(self, raw: Any, *, advance: bool = False) -> None:
        self.post_message(self.Answered(self, raw, advance))

    def forward(self) -> None:
        """The person pressed Enter to go on, with no new answer (:data:`NOTHING`)."""
        self.post_message(self.Answered(self, NOTHING, advance=True))

    #: The keys that work in this field, shown in the bottom bar (message ids).
    KEYS: ClassVar[tuple[str, ...]] = (N_("Enter: next"),)

    def show_value(self, value: Any) -> None:
        """Take ``value`` as the saved answer."""
        self.value = value

    def pending(self) -> Any:
        """What is typed but not yet confirmed, or :data:`NOTHING`."""
        return NOTHING

    def focus_target(self) -> Widget | None:
        """Where the cursor goes when the page opens."""
        inputs = self.query(".question-input, .picker-search, .entry-add")
        return inputs.first() if inputs else None


class _TextInput(Input):
    """An Input whose growing text does not lay out the whole screen again.

    Input records the width of its text as its virtual size on every keystroke, and a
    changed virtual size asks for a new layout of the screen. The field's own width is set
    by the stylesheet, never by its text, so a repaint (which scrolls the text inside the
    field) is enough.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)


class TextField(QuestionField):
    """Free text, numbers, years, dates, phone numbers and identifiers: typed in one line."""

    def shown_value(self) -> str:
        """The saved answer as it would be typed (a date as day.month.year)."""
        value = self.value
        if value is None:
            return ""
        return self.question.kind.typed(value)

    def placeholder(self) -> str:
        """The hint in the empty field, in the person's language."""
        kind = self.question.kind
        return _(kind.placeholder) if kind.placeholder else ""

    def compose_input(self) -> ComposeResult:
        kind = self.question.kind
        yield _TextInput(
            self.shown_value(),
            placeholder=self.placeholder(),
            max_length=self.question.max_length if kind.typed_length is None else kind.typed_length,
            classes="question-input",
        )

    def show_value(self, value: Any) -> None:
        """Take ``value`` as the saved answer and show it as it was read: ۱۹۹۰ typed on a Dari
        keyboard shows as the 1990 that was saved, 17/5/1990 as 17.05.1990."""
        super().show_value(value)
        box = self.query_one(Input)
        if box.value != self.shown_value():
            box.value = self.shown_value()

    def raw(self, text: str) -> Any:
        """What was typed, as the answer the parser reads."""
        return text

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.answer(self.raw(event.value), advance=True)

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        event.stop()
        if event.value != self.shown_value():
            self.answer(self.raw(event.value))

    def pending(self) -> Any:
        text = self.query_one(Input).value
        return self.raw(text) if text != self.shown_value() else NOTHING


class CalendarChoice(RadioChoice):
    """The calendar of the person's papers: the arrows move, Space or Enter chooses."""

    def __init__(self, chosen: Calendar, **kwargs: Any) -> None:
        super().__init__(
            [(c.value, _(calendars.NAMES[c])) for c in calendars.CALENDARS], chosen.value, **kwargs
        )


class CalendarField(TextField):
    """A date or a year, typed in the calendar of the person's papers (Gregorian, solar Hijri
    or Ethiopian: chosen once per registration, preselected for the language) and shown
    converted to the Gregorian calendar while it is typed, before it is confirmed. The answer
    posted is :class:`~sporreskjema.calendars.Typed` in another calendar than the Gregorian.

    The screen sets :attr:`calendar` (the registration's) and :attr:`written` (the saved
    answer as written, if it was written in another calendar) before the field is mounted.
    """

    class CalendarChosen(Message):
        """The person chose the calendar of their papers."""

        def __init__(self, field: CalendarField, calendar: Calendar) -> None:
            super().__init__()
            self.field = field
            self.calendar = calendar

    KEYS = (N_("Shift+Tab: calendar"), N_("Enter: next"))

    calendar: Calendar = Calendar.gregorian
    written: Written | None = None

    def shown_value(self) -> str:
        """The saved answer as typed: as written in the chosen calendar if it was, else
        Gregorian (a date as day.month.year)."""
        written = self.written
        if self.value is not None and written is not None and written.calendar is self.calendar:
            return written.typed()
        return super().shown_value()

    def placeholder(self) -> str:
        """The hint, with an example of the calendar chosen."""
        year = self.question.type == "year"
        return values.calendar_hint(self.calendar, year=year).render(current())

    def compose_input(self) -> ComposeResult:
        yield Static(_("The calendar of your papers:"), classes="calendar-label")
        yield CalendarChoice(self.calendar, classes="calendar-choice")
        yield from super().compose_input()
        yield Static(self.gregorian_note(self.shown_value()), classes="calendar-note")

    def raw(self, text: str) -> Any:
        """What was typed, as the parser reads it: in the chosen calendar."""
        return text if self.calendar is Calendar.gregorian else Typed(self.calendar, text)

    def gregorian_note(self, text: str) -> str:
        """What ``text`` typed in another calendar is in the Gregorian one, in the person's
        language; empty for the Gregorian calendar or what cannot be read (yet)."""
        if self.calendar is Calendar.gregorian or not text.strip():
            return ""
        try:
            value = values.parse(
                self.question, Typed(self.calendar, text), self.questionnaire, dt.date.today()
            )
        except values.Invalid:
            return ""
        if value is None:
            return ""
        tr = current()
        shown = values.display(self.question, value, self.questionnaire, tr)
        if isinstance(value, dt.date):
            return Msg(N_("In the Gregorian calendar: %(date)s"), {"date": shown}).render(tr)
        written = values.written_of(self.question, Typed(self.calendar, text), value)
        if written is None:
            return ""
        first, last = calendars.year_span(written.calendar, written.year)
        return Msg(
            N_(
                "In the Gregorian calendar: %(year)s (the year %(typed)s runs from %(first)s to %(last)s)"
            ),
            {
                "year": shown,
                "typed": written.typed(),
                "first": values.format_day(first, tr),
                "last": values.format_day(last, tr),
            },
        ).render(tr)

    def _show_note(self, text: str) -> None:
        for note in self.query(".calendar-note").results(Static):
            note.update(self.gregorian_note(text))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_note(event.value)

    @on(CalendarChoice.Changed, ".calendar-choice")
    def _calendar_chosen(self, event: CalendarChoice.Changed) -> None:
        event.stop()
        name = event.value
        if name not in Calendar.__members__ or name == self.calendar.value:
            return
        self.calendar = Calendar(name)
        self.post_message(self.CalendarChosen(self, self.calendar))
        box = self.query_one(Input)
        box.placeholder = self.placeholder()
        text = box.value
        self._show_note(text)
        if text.strip():  # what is typed is read again, in the calendar now chosen
            self.answer(self.raw(text))

    def show_value(self, value: Any) -> None:
        super().show_value(value)
        self._show_note(self.query_one(Input).value)


class _LongText(TextArea):
    def _on_blur(self, event: events.Blur) -> None:
        field = next(a for a in self.ancestors if isinstance(a, LongTextField))
        text = field.pending()
        if text is not NOTHING:
            field.answer(text)


class LongTextField(QuestionField):
    """Free text over several lines; confirmed when the person leaves it."""

    KEYS = (N_("Enter: new line"), N_("Tab: go on"))

    def compose_input(self) -> ComposeResult:
        yield _LongText(
            str(self.value or ""), soft_wrap=True, show_line_numbers=False, classes="question-input"
        )

    def pending(self) -> Any:
        text = self.query_one(TextArea).text
        return text if text.strip() != str(self.value or "") else NOTHING


class _Choices(RadioSet):
    """Options to choose one of: the arrows move, Space chooses, and Enter chooses the option
    the person moved to and goes on (Enter alone, before any move, only goes on: a stray Enter
    must not choose the first option)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", show=False),
        Binding("enter", "choose_and_go_on", show=False),
    ]

    #: Whether the person moved through the options (RadioSet highlights the first itself).
    moved = False

    def on_mount(self) -> None:
        self.call_later(self._at_the_answer)

    def _at_the_answer(self) -> None:
        """The highlight starts at the answer given, or nowhere."""
        pressed = self._pressed_button
        self._selected = self._nodes.index(pressed) if pressed is not None else None

    def action_next_button(self) -> None:
        if self.is_mounted:
            self.moved = True
        super().action_next_button()

    def action_previous_button(self) -> None:
        if self.is_mounted:
            self.moved = True
        super().action_previous_button()

    def action_choose_and_go_on(self) -> None:
        field = next(a for a in self.ancestors if isinstance(a, ChoiceField))
        if self.moved and self._selected is not None:
            code = self._nodes[self._selected].name
            if code != field.value:
                with self.prevent(RadioButton.Changed, RadioSet.Changed):
                    self.query(RadioButton)[self._selected].value = True
                field.answer(code, advance=True)
                return
        field.forward()


class ChoiceField(QuestionField):
    """One option from a code list."""

    KEYS = (N_("↑ ↓: move"), N_("Space: choose"), N_("Enter: next"))

    def compose_input(self) -> ComposeResult:
        with _Choices(classes="question-input"):
            for choice in self.questionnaire.choice_list(self.question.choices or ""):
                yield RadioButton(
                    _(choice.label), value=choice.code == self.value, name=choice.code
                )

    @on(RadioSet.Changed)
    def _changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        if event.pressed.name != self.value:
            self.answer(event.pressed.name)


class _Ticks(SelectionList):
    """Options to tick: Space ticks, Enter goes on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "select", show=False),
        Binding("enter", "go_on", show=False),
    ]

    def action_go_on(self) -> None:
        next(a for a in self.ancestors if isinstance(a, QuestionField)).forward()


class MultipleChoiceField(QuestionField):
    """Any number of options from a code list."""

    KEYS = (N_("↑ ↓: move"), N_("Space: tick"), N_("Enter: next"))

    def compose_input(self) -> ComposeResult:
        chosen = set(self.value or [])
        yield _Ticks(
            *(
                (_(choice.label), choice.code, choice.code in chosen)
                for choice in self.questionnaire.choice_list(self.question.choices or "")
            ),
            classes="question-input",
        )

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        selected = list(event.selection_list.selected)
        if set(selected) != set(self.value or []):
            self.answer(selected)


class _Ranked(SelectionList):
    """Options chosen in order: Space chooses an option as the next in the order (or takes it
    away, and those after it move up), Enter goes on. A chosen option's box shows its place
    (1, 2, 3 …) instead of a tick, on the right of a right-to-left screen as the box is."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "select", show=False),
        Binding("enter", "go_on", show=False),
    ]

    def __init__(self, *selections: Any, ranked: list[str], **kwargs: Any) -> None:
        super().__init__(*selections, **kwargs)
        # SelectionList keeps what is chosen in the order it was chosen: start from the
        # stored order, not the options' (no message: nothing was chosen just now).
        self._selected = {code: None for code in ranked}

    def action_go_on(self) -> None:
        next(a for a in self.ancestors if isinstance(a, QuestionField)).forward()

    def _box(self, selected: bool, index: int, underlying: Style) -> list[Segment]:
        segments = super()._box(selected, index, underlying)
        code = self.get_option_at_index(index).value
        if not selected or code not in self._selected:
            return segments
        place = list(self._selected).index(code) + 1
        inner = segments[1]
        shown = str(place) if place < 10 else "+"
        return [segments[0], Segment(shown, inner.style), *segments[2:]]


class RankingField(QuestionField):
    """Options from a code list chosen in the person's order of priority."""

    KEYS = (N_("↑ ↓: move"), N_("Space: choose in order"), N_("Enter: next"))

    def compose_input(self) -> ComposeResult:
        ranked = [code for code in (self.value or []) if isinstance(code, str)]
        yield _Ranked(
            *(
                (_(choice.label), choice.code, choice.code in ranked)
                for choice in self.questionnaire.choice_list(self.question.choices or "")
            ),
            ranked=ranked,
            classes="question-input",
        )

    def show_value(self, value: Any) -> None:
        super().show_value(value)
        self.query_one(_Ranked).refresh()

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        selected = list(event.selection_list.selected)
        if selected != list(self.value or []):
            self.answer(selected)


class _Box(Checkbox):
    """A box to tick: Space ticks and unticks, Enter goes on (it never unticks)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", show=False),
        Binding("enter", "go_on", show=False),
    ]

    def action_go_on(self) -> None:
        next(a for a in self.ancestors if isinstance(a, QuestionField)).forward()


class ConfirmField(QuestionField):
    """A box to tick."""

    KEYS = (N_("Space: tick"), N_("Enter: next"))

    def compose(self) -> ComposeResult:
        yield _Box(_(self.question.label), value=bool(self.value), classes="question-input")
        yield Static("", classes="question-error")

    @on(Checkbox.Changed)
    def _changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.answer(event.value)


class NoteField(QuestionField):
    """Text to read; no answer."""

    def compose(self) -> ComposeResult:
        yield Static(self.heading(mark_required=False), classes="question-heading")


class _Found(OptionList):
    """The languages or countries found: Enter or Space chooses."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("space", "select", show=False)]


class CodePicker(QuestionField):
    """A language or country, found by typing part of its name in the current language, in
    English, in Norwegian or in itself, or its code."""

    MAX_SHOWN: ClassVar[int] = 60
    KEYS = (N_("Type to search"), N_("↑ ↓: move"), N_("Enter: choose"))

    def _chosen(self) -> list[str]:
        if self.value is None:
            return []
        return list(self.value) if isinstance(self.value, list) else [self.value]

    def _chosen_text(self) -> str:
        chosen = self._chosen()
        if not chosen:
            return _("Nothing chosen yet.")
        shown = values.display(self.question, self.value, self.questionnaire, current())
        return _("Chosen: %(names)s") % {"names": shown}

    def compose_input(self) -> ComposeResult:
        yield Static(self._chosen_text(), classes="picker-chosen")
        yield Input(placeholder=_("Type to search"), classes="picker-search")
        yield _Found(*self._matches(""), classes="picker-options")

    def _matches(self, text: str) -> list[Option]:
        """Options for what is typed: the chosen ones first, then the best matches of the
        search (see :func:`sporreskjema.cldr.search`), so "Russian" finds Russian before Old
        Prussian, and "Eritrea" finds ኤርትራ."""
        kind: cldr.Kind = self.question.kind.codes or "language"  # a picker's type has codes
        chosen = set(self._chosen())
        found = cldr.search(kind, current(), text, first=chosen, limit=self.MAX_SHOWN)
        return [self._option(match, match.code in chosen) for match in found]

    @staticmethod
    def _option(match: cldr.CodeMatch, chosen: bool) -> Option:
        """The label: a tick when chosen, the name, its own name and the other name the search
        found, as far as each is known."""
        label = ("✓ " if chosen else "  ") + " — ".join(
            name for name in (match.name, match.own, match.via) if name
        )
        return Option(label, id=match.code)

    @on(Input.Changed, ".picker-search")
    def _search(self, event: Input.Changed) -> None:
        event.stop()
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._matches(event.value))
        options.highlighted = 0 if options.option_count else None

    @on(Input.Submitted, ".picker-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        """Enter takes the best match of what is typed; with nothing typed, it goes on."""
        event.stop()
        options = self.query_one(OptionList)
        if not event.value.strip():
            self.forward()
        elif options.highlighted is not None and options.option_count:
            self._toggle(options.get_option_at_index(options.highlighted).id)
            if self.question.multiple:
                event.input.value = ""  # ready for the next one

    @on(Input.Blurred, ".picker-search")
    def _search_blurred(self, event: Input.Blurred) -> None:
        event.stop()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._toggle(event.option.id)

    def _toggle(self, code: str | None) -> None:
        """Choose ``code`` and go on (one answer), or add or take it away (several)."""
        if code is None:
            return
        if self.question.multiple:
            chosen = self._chosen()
            chosen = [c for c in chosen if c != code] if code in chosen else [*chosen, code]
            self.answer(chosen)
        else:
            self.answer(code, advance=True)

    def refresh_choice(self) -> None:
        """Show the stored answer again after the screen saved it."""
        self.query_one(".picker-chosen", Static).update(self._chosen_text())
        search = self.query_one(".picker-search", Input)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._matches(search.value))


class RepeatField(QuestionField):
    """A list of entries (languages, schools, jobs, courses): add, change, remove."""

    KEYS = (N_("Tab: move"), N_("Enter: press"))

    class EditEntry(Message):
        def __init__(self, field: RepeatField, index: int | None) -> None:
            super().__init__()
            self.field = field
            #: ``None``: add a new entry.
            self.index = index

    class RemoveEntry(Message):
        def __init__(self, field: RepeatField, index: int) -> None:
            super().__init__()
            self.field = field
            self.index = index

    def __init__(
        self,
        question: Question,
        path: str,
        value: Any,
        questionnaire: Questionnaire,
        titles: list[str],
    ) -> None:
        super().__init__(question, path, value, questionnaire)
        self.titles = titles

    def compose_input(self) -> ComposeResult:
        # At the assisted desk the buttons also name themselves in the caseworker's language.
        from kompass_tui.widgets.chrome import both

        with Vertical(classes="entries"):
            if not self.titles:
                yield Static(_("Nothing added yet."), classes="entries-empty")
            for index, title in enumerate(self.titles):
                with Horizontal(classes="entry"):
                    yield Label(f"{index + 1}. {title}", classes="entry-title")
                    yield Button(
                        both(self.app, N_("Change")), name=f"edit-{index}", classes="entry-edit"
                    )
                    yield Button(
                        both(self.app, N_("Remove")),
                        name=f"remove-{index}",
                        classes="entry-remove",
                        variant="error",
                    )
        yield Button(
            both(self.app, N_("+ Add")), name="add", classes="entry-add", variant="primary"
        )

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        name = event.button.name or ""
        if name == "add":
            self.post_message(self.EditEntry(self, None))
        elif name.startswith("edit-"):
            self.post_message(self.EditEntry(self, int(name.split("-")[1])))
        elif name.startswith("remove-"):
            self.post_message(self.RemoveEntry(self, int(name.split("-")[1])))


#: The widget of each widget kind (``QuestionKind.widget`` in :mod:`sporreskjema.types`).
WIDGETS: dict[str, type[QuestionField]] = {
    "line": TextField,
    "calendar": CalendarField,
    "lines": LongTextField,
    "radio": ChoiceField,
    "ticks": MultipleChoiceField,
    "ranking": RankingField,
    "picker": CodePicker,
    "box": ConfirmField,
    "note": NoteField,
    "entries": RepeatField,
}


def field_class(question: Question) -> type[QuestionField]:
    """The widget class for a question: its type's widget kind's."""
    return WIDGETS[question.kind.widget_for(question)]


def field_for(
    question: Question,
    path: str,
    value: Any,
    questionnaire: Questionnaire,
    *,
    titles: list[str] | None = None,
) -> QuestionField:
    """The widget for a question, by its type."""
    kind = field_class(question)
    if issubclass(kind, RepeatField):
        return RepeatField(question, path, value, questionnaire, titles or [])
    return kind(question, path, value, questionnaire)
