"""Every question type in one place: the registry the definition, the engine, the exchange
and the screens read instead of switching on a type's name.

A type (:class:`QuestionKind`) says how an answer is read from what a person typed or chose
(``parse``), how it is stored as JSON and read back (``encode``/``decode``), what the stored
value must look like (``shape``), how it is shown (``display``), what it is in an export
(``json_schema``, which makes the CSV cell too) and which widget kind shows it (``widget``: the screens keep
one widget per kind, in ``kompass_tui/widgets/questions.py``). Whether it holds an answer,
holds other questions or takes a code list follows from the entry too.

The TOML definition's ``type =`` names an entry of :data:`REGISTRY`; :func:`register` adds
one (a test's toy type, or a type a later questionnaire needs). See
``docs/question-types.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal

from . import values

if TYPE_CHECKING:
    from .definition import Question, Questionnaire
    from .i18n import Translator

#: Reads what was typed or chosen: the stored value, ``None`` for no answer; raises
#: :class:`values.Invalid` with a message naming the field, or ``TypeError`` for a raw
#: answer of the wrong form.
Parser = Callable[["Question", Any, "Questionnaire", dt.date], Any]
#: A stored value (never ``None``) as text in the translator's language.
Display = Callable[["Question", Any, "Questionnaire", "Translator"], str]
#: Whether a decoded stored value has the form the parser returns.
Shape = Callable[["Question", Any], bool]

#: The widget kinds the screens have, one widget each (``WIDGETS`` in
#: ``kompass_tui/widgets/questions.py``): a line to type in, a date or year typed in a
#: calendar the person chooses, several lines, options to choose one of, options to tick,
#: options to choose in order, a search in a CLDR list, a box to tick, text to read, a list
#: of entries.
WIDGET_KINDS: Final = (
    "line", "calendar", "lines", "radio", "ticks", "ranking", "picker", "box", "note",
    "entries",
)  # fmt: skip

#: The JSON types a stored answer may have: those the record schema's ``value`` allows
#: (``kompass-record-2.schema.json``; an array holds codes, as strings).
JSON_TYPES: Final = frozenset({"string", "integer", "boolean", "array"})

#: Where a type's answer appears in the summary: always, never (text to read), or only while
#: it is wrong or missing (a box to tick).
InSummary = Literal["always", "never", "when_wrong"]


def _same(value: Any) -> Any:
    return value


def _is_text(_question: Question, value: Any) -> bool:
    return isinstance(value, str)


def _is_whole_number(_question: Question, value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_date(_question: Question, value: Any) -> bool:
    return isinstance(value, dt.date)


def _is_ticked(_question: Question, value: Any) -> bool:
    return value is True


def _is_codes(_question: Question, value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(code, str) for code in value)


def _is_code_or_codes(question: Question, value: Any) -> bool:
    return _is_codes(question, value) if question.multiple else isinstance(value, str)


def _as_typed(value: Any) -> str:
    """A value as a person would type it again: codes apart by commas, the rest as text."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _date_as_typed(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return _as_typed(value)


def _string() -> Mapping[str, Any]:
    return {"type": "string"}


_CODES: Final = {"type": "array", "items": {"type": "string"}}


@dataclass(frozen=True)
class QuestionKind:
    """One question type: everything the engine, the exchange and the screens need of it."""

    #: What the definition's ``type =`` says.
    name: str
    #: The widget kind that shows a question of this type (one of :data:`WIDGET_KINDS`, or
    #: one the screens add).
    widget: str
    #: ``None``: the type holds no answer of its own (text to read, a repeat group).
    parse: Parser | None = None
    display: Display = values.display_plain
    #: A parsed value → JSON (a date as ISO 8601), and back.
    encode: Callable[[Any], Any] = values.json_ready
    decode: Callable[[Any], Any] = _same
    shape: Shape = _is_text
    #: The JSON Schema of a stored answer, as the JSON exports write it; its ``type`` one of
    #: :data:`JSON_TYPES`. It makes the CSV cell too, by the export's one rule for cells: an
    #: array's codes joined by ``|``, ``true`` as ``yes``, a number as it is, text cleaned and
    #: kept from being read as a formula.
    json_schema: Mapping[str, Any] = field(default_factory=_string)
    #: A value → the text a person would type for it again (the review's correction).
    typed: Callable[[Any], str] = _as_typed
    #: A repeat group: holds entries of other questions, not an answer.
    container: bool = False
    #: Takes a code list of the questionnaire (``choices =``).
    choice: bool = False
    #: The CLDR list a picker searches (languages or countries); such a type also takes
    #: ``multiple = true``.
    codes: Literal["language", "country"] | None = None
    #: Takes ``min`` and ``max``.
    takes_range: bool = False
    #: A date or a year, typed in the calendar the person chose
    #: (:mod:`sporreskjema.calendars`) and stored as Gregorian; one typed in another calendar
    #: is kept beside it as written (``<name>_as_written``).
    calendar: bool = False
    #: The widget kind of a question with ``multiline = true``, if this type has one.
    multiline_widget: str | None = None
    #: A message id shown in an empty field as an example of what to type (a date or year
    #: field's, with an example of its calendar, is values.calendar_hint's).
    placeholder: str | None = None
    #: How many characters may be typed (``None``: the question's ``max_length``).
    typed_length: int | None = 40
    in_summary: InSummary = "always"
    #: Whether a caseworker corrects such an answer by typing it in the review.
    correctable: bool = True
    #: The message id for a required answer not given (``%(field)s``: the label), if not
    #: the engine's "please answer this question".
    missing: str | None = None

    @property
    def holds_value(self) -> bool:
        return self.parse is not None

    @property
    def is_note(self) -> bool:
        """Text to read and nothing to answer or add."""
        return self.parse is None and not self.container

    def widget_for(self, question: Question) -> str:
        """The widget kind that shows ``question``."""
        if question.multiline and self.multiline_widget is not None:
            return self.multiline_widget
        return self.widget

    def answer_schema(self, question: Question) -> dict[str, Any]:
        """The JSON Schema of ``question``'s stored answer (several codes: an array of them;
        ``min`` and ``max``: the bounds)."""
        schema = dict(self.json_schema)
        if self.takes_range:
            if question.min is not None:
                schema["minimum"] = question.min
            if question.max is not None:
                schema["maximum"] = question.max
        if self.codes is not None and question.multiple:
            return {"type": "array", "items": schema}
        return schema


_REGISTRY: dict[str, QuestionKind] = {}
#: Question type name → its entry, in the order they were registered.
REGISTRY: Final[Mapping[str, QuestionKind]] = MappingProxyType(_REGISTRY)


def register(kind: QuestionKind) -> QuestionKind:
    """Add a question type; definitions loaded from now on may name it. A name is taken once."""
    if kind.name in _REGISTRY:
        raise ValueError(f"the question type {kind.name!r} is registered already")
    json_type = kind.json_schema.get("type")
    if kind.holds_value and json_type not in JSON_TYPES:
        raise ValueError(f"{kind.name!r}: a stored answer is one of {sorted(JSON_TYPES)}")
    if kind.widget == "picker" and kind.codes is None:
        raise ValueError(f"{kind.name!r}: a picker searches the languages or the countries")
    _REGISTRY[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Take a type away again (a test's toy type); definitions already loaded keep theirs."""
    del _REGISTRY[name]


def kind_of(name: str) -> QuestionKind:
    """The entry of the type ``name`` (``KeyError`` if no such type is registered)."""
    return _REGISTRY[name]


def allowed_text() -> str:
    """The registered names as a definition's error lists them: 'a', 'b' or 'c'."""
    names = [repr(name) for name in _REGISTRY]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


# ------------------------------------------------------------------ the types Kompass has

register(QuestionKind("note", widget="note", in_summary="never", correctable=False))
register(
    QuestionKind(
        "text",
        widget="line",
        parse=values.parse_text,
        json_schema={"type": "string", "maxLength": 4000},
        multiline_widget="lines",
        typed_length=None,
    )
)
register(
    QuestionKind(
        "integer",
        widget="line",
        parse=values.parse_integer,
        display=values.display_integer,
        shape=_is_whole_number,
        json_schema={"type": "integer"},
        takes_range=True,
    )
)
register(
    QuestionKind(
        "year",
        widget="calendar",
        parse=values.parse_year,
        shape=_is_whole_number,
        json_schema={"type": "integer"},
        takes_range=True,
        calendar=True,
    )
)
register(
    QuestionKind(
        "date",
        widget="calendar",
        parse=values.parse_date,
        display=values.display_date,
        decode=values.decode_date,
        shape=_is_date,
        json_schema={"type": "string", "format": "date"},
        typed=_date_as_typed,
        calendar=True,
    )
)
register(
    QuestionKind(
        "single",
        widget="radio",
        parse=values.parse_single,
        display=values.display_choices,
        choice=True,
    )
)
register(
    QuestionKind(
        "multiple",
        widget="ticks",
        parse=values.parse_multiple,
        display=values.display_choices,
        shape=_is_codes,
        json_schema=_CODES,
        choice=True,
    )
)
register(
    QuestionKind(
        "language",
        widget="picker",
        parse=values.parse_language,
        display=values.display_languages,
        shape=_is_code_or_codes,
        codes="language",
    )
)
register(
    QuestionKind(
        "country",
        widget="picker",
        parse=values.parse_country,
        display=values.display_countries,
        shape=_is_code_or_codes,
        codes="country",
    )
)
register(
    QuestionKind(
        "phone",
        widget="line",
        parse=values.parse_phone,
        display=values.display_phone,
        placeholder=values.PHONE_PLACEHOLDER,
    )
)
register(
    QuestionKind(
        "email",
        widget="line",
        parse=values.parse_email,
        json_schema={"type": "string", "maxLength": values.EMAIL_LENGTH},
        placeholder=values.EMAIL_PLACEHOLDER,
        typed_length=values.EMAIL_LENGTH,
    )
)
register(
    QuestionKind(
        "ranked",
        widget="ranking",
        parse=values.parse_ranked,
        display=values.display_ranked,
        shape=_is_codes,
        json_schema={
            "type": "array",
            "items": {"type": "string"},
            "uniqueItems": True,
            "description": "Codes in the person's order of priority, the first the most important.",
        },
        choice=True,
    )
)
register(QuestionKind("duf", widget="line", parse=values.parse_duf))
register(QuestionKind("national_id", widget="line", parse=values.parse_national_id))
register(QuestionKind("person_id", widget="line", parse=values.parse_person_id))
register(
    QuestionKind(
        "confirm",
        widget="box",
        parse=values.parse_confirm,
        display=values.display_confirm,
        shape=_is_ticked,
        json_schema={"type": "boolean", "const": True},
        in_summary="when_wrong",
        correctable=False,
        missing=values.TICK_THE_BOX,
    )
)
register(QuestionKind("repeat", widget="entries", container=True, correctable=False))
