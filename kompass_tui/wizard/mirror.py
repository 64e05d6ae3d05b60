"""The page in a second language, beside the person's (or under it on a narrow terminal).

At the assisted desk the person answers in their own language while the caseworker reads the
same question, help, choices, answers and error messages in Norwegian. The mirror is read only:
it is drawn from the same page and the same form as the person's side, so the two can never
disagree, and it has its own direction (Norwegian stays left to right beside Arabic).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.strip import Strip
from textual.widgets import Static

from kompass_tui.widgets import bidi
from sporreskjema import Question, values
from sporreskjema.i18n import Msg, Translator
from sporreskjema.text import shown

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.widget import Widget

    from kompass_tui.wizard.registration import Registration
    from sporreskjema.engine import SummaryItem

#: A page of the wizard: each question with the path of its answer.
Page = list[tuple[Question, str]]


class MirrorText(Static):
    """Text in the mirror's language, in visual order for that language's direction."""

    def __init__(self, translator: Translator, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.translator = translator

    def render_line(self, y: int) -> Strip:
        return bidi.visual_strip(super().render_line(y), True if self.translator.rtl else None)


class Mirror(VerticalScroll):
    """The current page (or the summary) in ``translator``'s language.

    It scrolls with the person's side (the screen's ``#body``): as far down its own text as
    the person's side is down theirs, so both show the same part of a long page.
    """

    def __init__(self, translator: Translator) -> None:
        super().__init__(id="mirror")
        self.translator = translator
        self.set_class(bidi.right_aligned(translator.rtl), "-rtl")

    def compose(self) -> ComposeResult:
        yield MirrorText(self.translator, id="mirror-text")

    def on_mount(self) -> None:
        body = self._body()
        if body is not None:
            self.watch(body, "scroll_y", self._follow, init=False)

    def _body(self) -> Widget | None:
        found = self.screen.query("#body")
        return found.first() if found else None

    def _follow(self) -> None:
        """Scroll to the same share of the text as the person's side."""
        if not self.is_attached:
            return  # the page was built again meanwhile
        body = self._body()
        if body is None:
            return
        share = body.scroll_y / body.max_scroll_y if body.max_scroll_y > 0 else 0.0
        self.scroll_to(y=round(share * self.max_scroll_y), animate=False, immediate=True)

    def show(self, text: Text) -> None:
        self.query_one(MirrorText).update(text)
        self.call_after_refresh(self._follow)


def _keys(tr: Translator) -> Text:
    text = Text()
    text.append(
        tr.gettext("F2: the person's language · F4: the language of this side · F6: who answered"),
        style="dim italic",
    )
    return text


def page_text(
    tr: Translator,
    heading: str,
    page: Page,
    registration: Registration,
    errors: dict[str, Msg],
) -> Text:
    """Each question of the page in ``tr``'s language: label, help, the choices with the
    chosen ones marked, the answer (or the entries), who gave it, and its error message."""
    text = Text()
    text.append(heading, style="bold underline")
    for question, path in page:
        text.append("\n\n")
        _question(text, tr, question, path, registration, errors.get(path))
    text.append("\n\n")
    text.append_text(_keys(tr))
    return text


def _question(
    text: Text,
    tr: Translator,
    question: Question,
    path: str,
    registration: Registration,
    error: Msg | None,
) -> None:
    form = registration.form
    questionnaire = form.questionnaire
    kind = question.kind
    # As the person's side shows it: by the widget kind of the question's type.
    widget = kind.widget_for(question)
    value = form.get(path) if question.holds_value else None
    if widget == "box":  # the box as the person sees it, ticked or not
        text.append("☑ " if value else "☐ ", style="bold")
    text.append(tr.gettext(question.label), style="bold")
    if question.required and (question.holds_value or kind.container):
        text.append(" *", style="bold")
    if question.help:
        text.append("\n")
        text.append(tr.gettext(question.help), style="dim")
    if kind.container:
        _entries(text, tr, question, registration)
    elif not question.holds_value or widget == "box":
        pass
    elif widget == "ranking" and question.choices:
        # As the person's side: each option with its place in the order chosen, or none.
        ranked = value if isinstance(value, list) else []
        for choice in questionnaire.choice_list(question.choices):
            place = ranked.index(choice.code) + 1 if choice.code in ranked else None
            mark = f"{place}." if place is not None else "☐ "
            text.append("\n")
            text.append(f"{mark} {tr.gettext(choice.label)}", style="bold" if place else "")
    elif widget in ("radio", "ticks") and question.choices:
        chosen = value if isinstance(value, list) else [value]
        marks = ("☑", "☐") if widget == "ticks" else ("●", "○")
        for choice in questionnaire.choice_list(question.choices):
            picked = choice.code in chosen
            mark = marks[0] if picked else marks[1]
            text.append("\n")
            text.append(f"{mark} {tr.gettext(choice.label)}", style="bold" if picked else "")
    else:
        shown = values.display(question, value, questionnaire, tr)
        written = form.written(path) if kind.calendar and value is not None else None
        if written is not None:  # the Gregorian date, and as the person wrote it
            shown = f"{shown} ({values.display_written(written, tr)})"
        text.append("\n")
        text.append(
            tr.gettext("Answer: %(answer)s") % {"answer": shown}
            if shown
            else tr.gettext("Not answered yet.")
        )
    if value is not None:
        text.append("\n")
        text.append(_given_by(tr, registration, path), style="dim")
    if error is not None:
        text.append("\n")
        text.append(error.render(tr), style="bold red")


def _entries(text: Text, tr: Translator, group: Question, registration: Registration) -> None:
    """The saved entries of a repeat question, numbered and titled as on the person's side
    (``QuestionsScreen.entry_titles``), in ``tr``'s language."""
    form = registration.form
    questionnaire = form.questionnaire
    entries = form.entries(group.name)
    if not entries:
        text.append("\n")
        text.append(tr.gettext("Nothing added yet."), style="dim")
    for index, entry in enumerate(entries):
        title = ""
        if group.entry_title:
            title = values.display(
                questionnaire.question(group.entry_title),
                entry.get(group.entry_title),
                questionnaire,
                tr,
            )
        text.append(f"\n{index + 1}. {title or tr.gettext('(not filled in yet)')}")


def _given_by(tr: Translator, registration: Registration, path: str) -> str:
    code = registration.provenance_of(path)
    label = next((p.label for p in registration.questionnaire.provenance if p.code == code), code)
    return tr.gettext("Given by: %(who)s") % {"who": tr.gettext(label)}


def summary_text(tr: Translator, heading: str, registration: Registration, error: str) -> Text:
    """Every answer by section in ``tr``'s language, the summary's own questions (the box to
    tick before sending) and why it was not sent (if so)."""
    text = Text()
    text.append(heading, style="bold underline")
    form = registration.form
    for part in form.summary(tr):
        text.append("\n\n")
        text.append(f"{'✓' if part.complete else '!'} {part.title}", style="bold")
        for item in part.items:
            _summary_item(text, tr, item, depth=0)
    for question in registration.questionnaire.sections[-1].questions:
        if form.is_relevant(question):
            text.append("\n\n")
            _question(text, tr, question, question.name, registration, None)
    if error:
        text.append("\n\n")
        text.append(error, style="bold red")
    text.append("\n\n")
    text.append_text(_keys(tr))
    return text


def _summary_item(text: Text, tr: Translator, item: SummaryItem, depth: int) -> None:
    indent = "  " * depth
    text.append(f"\n{indent}{item.label}: ")
    if item.entries:
        for entry in item.entries:
            text.append(f"\n{indent}  {shown(entry.title)}")
            for child in entry.items:
                _summary_item(text, tr, child, depth + 2)
        return
    text.append(shown(item.text, multiline=True) or "—")
    if item.error:
        text.append(f"\n{indent}  {item.error}", style="red")
