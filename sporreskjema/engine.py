"""The engine that walks a questionnaire for one person's answers.

A :class:`Form` holds the answers (question name → value; a repeat group holds a
list of entries, each a dict of its own answers) and knows, for those answers,
which questions are visible, which answers are missing or wrong, how complete each
section is and what the summary shows. It never imports a UI and holds no
language: messages are :class:`~sporreskjema.i18n.Msg` objects the caller renders.

Answers are addressed by a path: ``"full_name"`` or ``"jobs[2].job_title"``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from . import calendars, values
from .calendars import AS_WRITTEN_SUFFIX
from .definition import Plan, Question, Questionnaire, Section
from .i18n import N_, Msg, Nn_, Translator

_PATH = re.compile(r"^([a-z][a-z0-9_]*)(?:\[([0-9]+)\]\.([a-z][a-z0-9_]*))?$")


@dataclass(frozen=True)
class Path:
    """Where an answer lives: a top-level question, or a question in one repeat entry."""

    name: str
    group: str | None = None
    index: int | None = None

    @classmethod
    def parse(cls, text: str) -> Path:
        match = _PATH.match(text)
        if not match:
            raise ValueError(f"not an answer path: {text!r}")
        first, index, child = match.groups()
        if child is None:
            return cls(first)
        return cls(child, first, int(index))

    def __str__(self) -> str:
        if self.group is None:
            return self.name
        return f"{self.group}[{self.index}].{self.name}"


class FormError(Exception):
    """An operation the form refuses (unknown path, too many entries, …), with a message."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.msgid)
        self.message = message


@dataclass(frozen=True)
class Item:
    """One visible question, where its answer lives, and the answer."""

    question: Question
    path: Path
    value: Any


@dataclass(frozen=True)
class FieldError:
    path: Path
    message: Msg


SectionState = Literal["empty", "incomplete", "complete"]


@dataclass(frozen=True)
class SectionStatus:
    section: Section
    required: int
    answered_required: int
    answered: int
    errors: tuple[FieldError, ...]

    @property
    def state(self) -> SectionState:
        if self.errors:
            return "incomplete" if self.answered else "empty"
        return "complete"

    @property
    def complete(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class SummaryEntry:
    title: str
    items: tuple[SummaryItem, ...]


@dataclass(frozen=True)
class SummaryItem:
    path: Path
    label: str
    text: str
    error: str | None = None
    entries: tuple[SummaryEntry, ...] = ()


@dataclass(frozen=True)
class SummarySection:
    name: str
    title: str
    items: tuple[SummaryItem, ...]
    complete: bool


@dataclass
class Form:
    """One person's answers to one questionnaire."""

    questionnaire: Questionnaire
    answers: dict[str, Any] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    _plan: Plan = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._plan = self.questionnaire.plan

    # ---------------------------------------------------------------- reading

    def _question(self, path: Path) -> Question:
        question = self._plan.questions.get(path.name)
        if question is None:
            raise FormError(Msg(N_("There is no question '%(name)s'."), {"name": path.name}))
        if self._plan.group[path.name] != path.group:
            raise FormError(Msg(N_("There is no question '%(name)s'."), {"name": str(path)}))
        if path.group is not None:
            entries = self.answers.get(path.group) or []
            if path.index is None or not 0 <= path.index < len(entries):
                raise FormError(Msg(N_("There is no entry %(n)d."), {"n": (path.index or 0) + 1}))
        return question

    def get(self, path: Path | str) -> Any:
        path = Path.parse(path) if isinstance(path, str) else path
        self._question(path)
        if path.group is None:
            return self.answers.get(path.name)
        return self.answers[path.group][path.index].get(path.name)

    def written(self, path: Path | str) -> calendars.Written | None:
        """The date or year at ``path`` as the person wrote it in another calendar than the
        Gregorian (the answer itself is Gregorian), or ``None``."""
        path = Path.parse(path) if isinstance(path, str) else path
        self._question(path)
        place = self.answers if path.group is None else self.answers[path.group][path.index]
        text = place.get(path.name + AS_WRITTEN_SUFFIX)
        return None if text is None else calendars.Written.parse(text)

    def entries(self, group: str) -> list[dict[str, Any]]:
        return list(self.answers.get(group) or [])

    def _lookup(self, entry: Mapping[str, Any] | None, current: Any = None) -> Callable[[str], Any]:
        group_of = self._plan.group
        answers = self.answers

        def lookup(name: str) -> Any:
            if name == "value":
                return current
            if entry is not None:
                if name in entry:
                    return entry[name]
                if group_of.get(name) is not None:
                    return None
            return answers.get(name)

        return lookup

    def _shown(self, name: str, entry: Mapping[str, Any] | None) -> bool:
        """The question's own ``relevant`` rule (its group's rule not included)."""
        expression = self._plan.relevant[name]
        return expression is None or expression.is_true(self._lookup(entry), self.today)

    def is_relevant(self, question: Question, entry: Mapping[str, Any] | None = None) -> bool:
        group = self._plan.group[question.name]
        if group is not None:
            if entry is None:
                raise ValueError("a question in a repeat group needs its entry")
            if not self._shown(group, None):
                return False
        return self._shown(question.name, entry)

    def visible(self, section: str | Section) -> list[Item]:
        """The questions of a section shown for the current answers (repeat groups as one item)."""
        sec = self.questionnaire.section(section) if isinstance(section, str) else section
        kinds = self._plan.kinds
        return [
            Item(
                q,
                Path(q.name),
                self.answers.get(q.name) if not kinds[q.name].container else self.entries(q.name),
            )
            for q in sec.questions
            if self._shown(q.name, None)
        ]

    def entry_items(self, group: str, index: int) -> list[Item]:
        """The questions shown in one entry of a repeat group."""
        children = self._plan.children.get(group)
        if not children:
            raise FormError(Msg(N_("There is no list '%(name)s'."), {"name": group}))
        self._question(Path(children[0].name, group, index))
        entry = self.answers[group][index]
        return [
            Item(q, Path(q.name, group, index), entry.get(q.name))
            for q in children
            if self._shown(q.name, entry)
        ]

    def iter_visible(self, section: str | Section | None = None) -> Iterator[Item]:
        """Every visible answerable place, repeat entries expanded, in order."""
        sections = (
            self.questionnaire.sections
            if section is None
            else (self.questionnaire.section(section) if isinstance(section, str) else section,)
        )
        kinds = self._plan.kinds
        for sec in sections:
            for item in self.visible(sec):
                yield item
                if kinds[item.question.name].container:
                    for index in range(len(item.value)):
                        yield from self.entry_items(item.question.name, index)

    def follow_ups(self) -> list[str]:
        """The ``follow_up`` questions shown for the current answers, by name: the record is
        sent flagged for staff's follow-up when there is one."""
        return [item.question.name for item in self.iter_visible() if item.question.follow_up]

    # ---------------------------------------------------------------- checking

    def check(self, path: Path | str, raw: Any) -> tuple[Any, Msg | None]:
        """Parse and validate ``raw`` for ``path`` without storing it."""
        path = Path.parse(path) if isinstance(path, str) else path
        question = self._question(path)
        if not question.holds_value:
            raise FormError(Msg(N_("'%(name)s' takes no answer."), {"name": str(path)}))
        try:
            value = values.parse(question, raw, self.questionnaire, self.today)
        except values.Invalid as exc:
            return None, exc.message
        return value, self._constraint_error(question, path, value)

    def _entry(self, path: Path) -> dict[str, Any] | None:
        if path.group is None or path.index is None:
            return None
        entry: dict[str, Any] = self.answers[path.group][path.index]
        return entry

    def _constraint_error(self, question: Question, path: Path, value: Any) -> Msg | None:
        expression = self._plan.constraint[question.name]
        if value is None or expression is None or question.constraint_message is None:
            return None
        if expression.is_false(self._lookup(self._entry(path), value), self.today):
            return Msg(question.constraint_message)
        return None

    def set(self, path: Path | str, raw: Any) -> Msg | None:
        """Store the answer if it is valid; return the error message otherwise.

        An invalid answer is not stored, so the form only ever holds confirmed,
        valid answers (a later change elsewhere can still make one wrong:
        :meth:`errors` finds those).
        """
        path = Path.parse(path) if isinstance(path, str) else path
        value, error = self.check(path, raw)
        if error is not None:
            return error
        target = self._entry(path) if path.group is not None else self.answers
        assert target is not None
        if value is None:
            target.pop(path.name, None)
        else:
            target[path.name] = value
        written = values.written_of(self._question(path), raw, value)
        if written is None:
            target.pop(path.name + AS_WRITTEN_SUFFIX, None)
        else:
            target[path.name + AS_WRITTEN_SUFFIX] = written.text()
        return None

    def clear(self, path: Path | str) -> None:
        self.set(path, None)

    def errors(self, section: str | Section | None = None) -> list[FieldError]:
        """Missing required answers and answers that no longer pass their constraint."""
        return self._errors(self.iter_visible(section))

    def _errors(self, items: Iterable[Item]) -> list[FieldError]:
        found: list[FieldError] = []
        kinds = self._plan.kinds
        for item in items:
            question = item.question
            kind = kinds[question.name]
            if kind.is_note:
                continue
            if kind.container:
                if question.required and not item.value:
                    found.append(
                        FieldError(
                            item.path,
                            Msg(
                                N_("%(field)s: add at least one."), {"field": question.label_msg()}
                            ),
                        )
                    )
                continue
            if item.value is None:
                if question.required:
                    found.append(FieldError(item.path, _missing(question)))
                continue
            error = self._constraint_error(question, item.path, item.value)
            if error is not None:
                found.append(FieldError(item.path, error))
        return found

    def missing(self, path: Path | str) -> Msg | None:
        """Why the answer at ``path`` is still needed: it is required and not given (a box to
        tick not ticked); ``None`` when it is there or may stay empty."""
        where = Path.parse(path) if isinstance(path, str) else path
        question = self._question(where)
        if not question.required or not question.holds_value or self.get(where) is not None:
            return None
        return _missing(question)

    def status(self, section: str | Section) -> SectionStatus:
        required = answered_required = answered = 0
        items = list(self.iter_visible(section))
        for item in items:
            question = item.question
            if not question.holds_value:
                continue
            has_value = item.value is not None
            answered += has_value
            if question.required:
                required += 1
                answered_required += has_value
        return SectionStatus(
            section=self.questionnaire.section(section) if isinstance(section, str) else section,
            required=required,
            answered_required=answered_required,
            answered=answered,
            errors=tuple(self._errors(items)),
        )

    def progress(self) -> list[SectionStatus]:
        return [self.status(section) for section in self.questionnaire.sections]

    @property
    def complete(self) -> bool:
        return not self.errors()

    # ---------------------------------------------------------------- repeat groups

    def _group(self, group: str) -> Question:
        if group not in self._plan.children:
            raise FormError(Msg(N_("There is no list '%(name)s'."), {"name": group}))
        return self._plan.questions[group]

    def add_entry(self, group: str) -> int:
        """Append an empty entry and return its index."""
        question = self._group(group)
        entries = self.answers.setdefault(group, [])
        if len(entries) >= question.max_entries:
            raise _too_many(question)
        entries.append({})
        return len(entries) - 1

    def remove_entry(self, group: str, index: int) -> None:
        self._group(group)
        entries = self.answers.get(group) or []
        if not 0 <= index < len(entries):
            raise FormError(Msg(N_("There is no entry %(n)d."), {"n": index + 1}))
        del entries[index]
        if not entries:
            self.answers.pop(group, None)

    def move_entry(self, group: str, index: int, new_index: int) -> None:
        self._group(group)
        entries = self.answers.get(group) or []
        if not (0 <= index < len(entries) and 0 <= new_index < len(entries)):
            raise FormError(Msg(N_("There is no entry %(n)d."), {"n": max(index, new_index) + 1}))
        entries.insert(new_index, entries.pop(index))

    # ---------------------------------------------------------------- results

    def relevant_answers(self) -> dict[str, Any]:
        """The answers a record keeps: those of visible questions only, JSON-ready."""
        result: dict[str, Any] = {}
        for item in self.iter_visible():
            question = item.question
            if question.kind.container:
                result[question.name] = [
                    _with_written(
                        {
                            child.question.name: values.encode(child.question, child.value)
                            for child in self.entry_items(question.name, index)
                            if child.value is not None
                        },
                        self.answers[question.name][index],
                    )
                    for index in range(len(item.value))
                ]
            elif question.group is None and question.holds_value and item.value is not None:
                result[question.name] = values.encode(question, item.value)
                written = self.answers.get(question.name + AS_WRITTEN_SUFFIX)
                if written is not None:
                    result[question.name + AS_WRITTEN_SUFFIX] = written
        return result

    def encoded_entries(self, group: str) -> list[dict[str, Any]]:
        """Every stored answer of a repeat group's entries, JSON-ready (hidden ones too)."""
        children = {q.name: q for q in self._group(group).questions}
        return [
            {
                name: value if name not in children else values.encode(children[name], value)
                for name, value in entry.items()
            }
            for entry in self.entries(group)
        ]

    def _answer_text(self, question: Question, path: Path, value: Any, tr: Translator) -> str:
        """An answer as the summary shows it: a date or year written in another calendar
        with what was written beside the Gregorian value."""
        text = values.display(question, value, self.questionnaire, tr)
        if value is not None and question.kind.calendar:
            written = self.written(path)
            if written is not None:
                text = f"{text} ({values.display_written(written, tr)})"
        return text

    def summary(self, tr: Translator) -> list[SummarySection]:
        """Every answer grouped by section, as text in ``tr``'s language."""
        errors = {str(e.path): e.message.render(tr) for e in self.errors()}
        sections = []
        for section in self.questionnaire.sections:
            items = []
            for item in self.visible(section):
                question = item.question
                kind = question.kind
                if kind.in_summary == "never":
                    continue
                if kind.in_summary == "when_wrong" and str(item.path) not in errors:
                    continue  # a box to tick is shown in the summary while it is not ticked
                entries: tuple[SummaryEntry, ...] = ()
                if kind.container:
                    entries = tuple(
                        self._summary_entry(question, index, tr, errors)
                        for index in range(len(item.value))
                    )
                    text = ""
                else:
                    text = self._answer_text(question, item.path, item.value, tr)
                items.append(
                    SummaryItem(
                        item.path,
                        tr.gettext(question.label),
                        text,
                        errors.get(str(item.path)),
                        entries,
                    )
                )
            if items:
                sections.append(
                    SummarySection(
                        section.name,
                        tr.gettext(section.title),
                        tuple(items),
                        self.status(section).complete,
                    )
                )
        return sections

    def _summary_entry(
        self, group: Question, index: int, tr: Translator, errors: dict[str, str]
    ) -> SummaryEntry:
        items = tuple(
            SummaryItem(
                child.path,
                tr.gettext(child.question.label),
                self._answer_text(child.question, child.path, child.value, tr),
                errors.get(str(child.path)),
            )
            for child in self.entry_items(group.name, index)
        )
        title = ""
        if group.entry_title is not None:
            entry = self.answers[group.name][index]
            title_question = self.questionnaire.question(group.entry_title)
            title = values.display(
                title_question, entry.get(group.entry_title), self.questionnaire, tr
            )
        if not title:
            title = tr.gettext(group.label)
        return SummaryEntry(f"{index + 1}. {title}", items)

    # ---------------------------------------------------------------- storage

    @classmethod
    def from_json(
        cls,
        questionnaire: Questionnaire,
        data: Mapping[str, Any],
        today: dt.date | None = None,
        *,
        strict: bool = False,
        checked: Checked | None = None,
    ) -> Form:
        """Rebuild a form from stored JSON answers; anything but such answers is a FormError.

        Unknown names and values of the wrong form are always refused. ``strict`` (for data from
        outside, such as an import file) refuses too any value this engine would not have stored
        itself: text with control characters, a number out of range, an unknown code, a phone
        number that does not parse. Stored data of the program's own are read without it, so a
        rule that changes later does not lock anyone out of their record.

        ``checked``: answers already accepted for the same questions on the same day, kept by
        the caller across the forms it reads (an import: the same codes, years and dates recur
        in record after record, and each is parsed once).
        """
        day = today or dt.date.today()
        if not isinstance(data, Mapping):
            raise FormError(Msg(N_("The answers have the wrong form.")))
        # The plan's plain dicts: an import checks every answer of every record here.
        plan = questionnaire.plan
        questions, group_of, kinds = plan.questions, plan.group, plan.kinds
        answers: dict[str, Any] = {}
        written: dict[str, Any] = {}
        for name, raw in data.items():
            if isinstance(name, str) and name.endswith(AS_WRITTEN_SUFFIX):
                written[name] = raw  # checked once the answers are all read
                continue
            question = questions.get(name) if isinstance(name, str) else None
            if question is None or group_of[name] is not None:
                raise FormError(Msg(N_("There is no question '%(name)s'."), {"name": str(name)}))
            kind = kinds[name]
            if kind.container:
                children, names = plan.entry_questions[name], plan.entry_names[name]
                if raw is not None and not (
                    isinstance(raw, list) and all(isinstance(entry, Mapping) for entry in raw)
                ):
                    raise FormError(_wrong_form(question))
                if strict and len(raw or []) > question.max_entries:
                    raise _too_many(question)
                entries = []
                for entry in raw or []:
                    unknown = [k for k in entry if k not in names]
                    if unknown:
                        raise FormError(
                            Msg(
                                N_("There is no question '%(name)s'."),
                                {"name": min(str(k) for k in unknown)},
                            )
                        )
                    stored = {
                        k: _stored(children[k], v, questionnaire, day, strict, checked)
                        for k, v in entry.items()
                        if k in children
                    }
                    entries.append(_written_beside(stored, entry, children, strict))
                answers[name] = entries
            elif kind.parse is None:  # a type that holds no value
                raise FormError(Msg(N_("'%(name)s' takes no answer."), {"name": name}))
            else:
                answers[name] = _stored(question, raw, questionnaire, day, strict, checked)
        answers = _written_beside(answers, written, plan.top, strict)
        return cls(questionnaire, answers, day)


def _with_written(encoded: dict[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    """An entry's encoded answers with each date or year as written beside its answer."""
    for name in list(encoded):
        written = entry.get(name + AS_WRITTEN_SUFFIX)
        if written is not None:
            encoded[name + AS_WRITTEN_SUFFIX] = written
    return encoded


def _written_beside(
    answers: dict[str, Any],
    data: Mapping[str, Any],
    questions: Mapping[str, Question],
    strict: bool,
) -> dict[str, Any]:
    """``answers`` with each stored "as written" of ``data`` beside its answer. It must name
    a date or year question that has an answer, and be a day (or a year) of its calendar;
    with ``strict`` (data from outside) it must also be the answer's own Gregorian value."""
    for key, text in data.items():
        if not (isinstance(key, str) and key.endswith(AS_WRITTEN_SUFFIX)):
            continue
        name = key.removesuffix(AS_WRITTEN_SUFFIX)
        question = questions.get(name)
        if question is None or not question.kind.calendar:
            raise FormError(Msg(N_("There is no question '%(name)s'."), {"name": key}))
        if text is None:
            continue
        try:
            written = calendars.Written.parse(text)
        except (ValueError, TypeError, OverflowError):
            raise FormError(_wrong_form(question)) from None
        value = answers.get(name)
        if value is None or written.is_year == isinstance(value, dt.date):
            raise FormError(_wrong_form(question))
        if strict and written.gregorian() != value:
            raise FormError(
                Msg(
                    N_("%(field)s: the date as written is not the same day as the answer."),
                    {"field": question.label_msg()},
                )
            )
        answers[key] = written.text()
    return answers


def _missing(question: Question) -> Msg:
    """The message for a required answer not given (as the question's type says, if it says)."""
    msgid = question.kind.missing or N_("%(field)s: please answer this question.")
    return Msg(msgid, {"field": question.label_msg()})


def _too_many(question: Question) -> FormError:
    return FormError(
        Msg.plural(
            Nn_(
                "%(field)s: you can add at most %(n)d entry.",
                "%(field)s: you can add at most %(n)d entries.",
            ),
            question.max_entries,
            field=question.label_msg(),
        )
    )


def _wrong_form(question: Question) -> Msg:
    return Msg(N_("%(field)s: this answer has the wrong form."), {"field": question.label_msg()})


#: Answers accepted for a question (by its identity, the value's type and the value), kept
#: with the question itself so that its identity cannot be another's.
Checked = dict[tuple[int, type, Any], tuple["Question", Any]]
#: What is remembered: values that cannot change once accepted, and lists of text (codes),
#: remembered as a tuple of the same texts.
_REMEMBERED: Final = (str, int, float, bool)
#: Beyond this many, what was remembered is forgotten (names and identifiers do not recur).
REMEMBER_AT_MOST: Final = 20_000


def recurring(value: Any) -> tuple[type, Any] | None:
    """``value`` as a key for what is done with it once for all the records it recurs in:
    its type and itself (a list of texts, codes such as ``["ti", "ar"]``, as a tuple); None
    for a value that is not remembered (a repeat group's entries)."""
    kind = value.__class__
    if kind is list:
        return (list, tuple(value)) if all(item.__class__ is str for item in value) else None
    return (kind, value) if kind in _REMEMBERED else None


def _stored(
    question: Question,
    data: Any,
    questionnaire: Questionnaire,
    today: dt.date,
    strict: bool,
    checked: Checked | None = None,
) -> Any:
    """A stored answer decoded, if it has the form its type stores; with ``strict``, only one
    the parser returns unchanged. The same question, value and day always give the same
    answer: ``checked`` remembers those accepted."""
    if checked is None:
        return _decoded(question, data, questionnaire, today, strict)
    found = recurring(data)
    if found is None:
        return _decoded(question, data, questionnaire, today, strict)
    key = (id(question), *found)
    hit = checked.get(key)
    if hit is not None and hit[0] is question:
        return hit[1] if key[1] is not list else list(hit[1])  # each form its own list
    value = _decoded(question, data, questionnaire, today, strict)
    if len(checked) >= REMEMBER_AT_MOST:
        checked.clear()
    checked[key] = (question, value if key[1] is not list else list(value))
    return value


def _decoded(
    question: Question, data: Any, questionnaire: Questionnaire, today: dt.date, strict: bool
) -> Any:
    try:
        value = values.decode(question, data)
    except (ValueError, TypeError):
        raise FormError(_wrong_form(question)) from None
    if value is None:
        return None
    if not question.kind.shape(question, value):
        raise FormError(_wrong_form(question))
    if strict:
        try:
            again = values.parse(question, value, questionnaire, today)
        except values.Invalid as exc:
            raise FormError(exc.message) from None
        if again != value:
            raise FormError(_wrong_form(question))
    return value
