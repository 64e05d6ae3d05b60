"""The questionnaire definition: typed models, loading and validation.

A definition is a TOML file in ``sporreskjema/definitions/``. It is read into the
pydantic models below (which reject unknown fields and wrong types) and then
checked as a whole: unique names, known code lists, well-formed expressions that
name questions in reach, codes that exist. Every problem is collected with its
location, so ``kompass questionnaire check`` can list them all at once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from . import types
from .calendars import AS_WRITTEN_SUFFIX
from .expressions import VALUE, Expression, ExpressionError, compile_expression
from .i18n import N_, Msg
from .types import QuestionKind

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
BUILTIN_ID = "kompass"
BUILTIN_VERSION = "2"
#: What a built-in id or version may look like: nothing that could name another file.
_BUILTIN_PART = re.compile(r"[a-z0-9_]{1,40}")

#: A question type: the name of an entry of the registry (:mod:`sporreskjema.types`).
QuestionType = str
NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Choice(_Strict):
    code: str = Field(min_length=1, max_length=40)
    label: str = Field(min_length=1)
    help: str | None = None
    #: NUS2000 level digit (Statistics Norway's education levels), written by the export
    #: beside the code.
    nus: str | None = Field(default=None, pattern=r"^[0-9]$")
    #: ISCED 2011 level (0–8), written by the export beside the code.
    isced: str | None = Field(default=None, pattern=r"^[0-8]$")
    #: ISCED-F 2013 field: broad (2 digits), narrow (3) or detailed (4); written by the export
    #: beside the code.
    isced_f: str | None = Field(default=None, pattern=r"^[0-9]{2}([0-9]{1,2})?$")
    #: The CEFR level the code is (a certificate's level). Self-assessed steps have none:
    #: they are no CEFR levels.
    cefr: str | None = None


#: The attributes of a :class:`Choice` that give its code in another classification: the
#: export writes each beside a single code that has it (``kompass_tui.exchange.records``).
#: In a code list, every code has such an attribute or none does.
DERIVED_CODES: tuple[str, ...] = ("nus", "isced", "isced_f")


class Question(_Strict):
    name: str = Field(pattern=NAME_PATTERN, max_length=60)
    type: QuestionType
    label: str = Field(min_length=1)
    help: str | None = None
    required: bool = False
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: str | None = None
    #: The code list of a single or multiple choice question.
    choices: str | None = None
    #: A language or country question that takes several answers.
    multiple: bool = False
    min: int | None = None
    max: int | None = None
    max_length: int = Field(default=200, ge=1, le=4000)
    multiline: bool = False
    #: The questions of one entry of a repeat group.
    questions: tuple[Question, ...] = ()
    #: The child question whose answer names an entry in lists and summaries.
    entry_title: str | None = None
    max_entries: int = Field(default=20, ge=1, le=100)
    #: Shown for the answers given, it flags the record for staff's follow-up when the
    #: registration is sent (a note such as an age outside the programme's group): what the
    #: person cannot settle alone is left to staff, never to a box the person ticks.
    follow_up: bool = False

    _relevant: Expression | None = PrivateAttr(default=None)
    _constraint: Expression | None = PrivateAttr(default=None)
    _group: str | None = PrivateAttr(default=None)
    _section: str = PrivateAttr(default="")

    @field_validator("type")
    @classmethod
    def _registered(cls, name: str) -> str:
        """A type of the registry, refused as a literal would be: the same message lists the
        types there are."""
        if name not in types.REGISTRY:
            raise PydanticCustomError(
                "literal_error", "Input should be {expected}", {"expected": types.allowed_text()}
            )
        return name

    @property
    def kind(self) -> QuestionKind:
        """The entry of this question's type in the registry (looked up each time: a plain
        field and a dict are quicker to reach than a model's private attribute)."""
        return types.REGISTRY[self.type]

    @property
    def relevant_expr(self) -> Expression | None:
        return self._relevant

    @property
    def constraint_expr(self) -> Expression | None:
        return self._constraint

    @property
    def group(self) -> str | None:
        """The repeat group this question belongs to, if any."""
        return self._group

    @property
    def section(self) -> str:
        return self._section

    @property
    def holds_value(self) -> bool:
        return types.REGISTRY[self.type].parse is not None

    def label_msg(self) -> Msg:
        return Msg(self.label)


class Section(_Strict):
    name: str = Field(pattern=NAME_PATTERN, max_length=60)
    title: str = Field(min_length=1)
    help: str | None = None
    questions: tuple[Question, ...] = ()


class Questionnaire(_Strict):
    id: str = Field(pattern=NAME_PATTERN)
    version: str = Field(pattern=r"^[0-9]+(\.[0-9]+)*$")
    title: str = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    choices: dict[str, tuple[Choice, ...]] = Field(default_factory=dict)
    #: Who gave an answer; every stored answer records one of these codes.
    provenance: tuple[Choice, ...] = Field(min_length=1)

    _index: dict[str, Question] = PrivateAttr(default_factory=dict)

    @cached_property
    def plan(self) -> Plan:
        """Built on first use and then an attribute of the instance: a form is made from every
        record read or imported, and a model's private attribute is slow to reach."""
        return Plan.build(self)

    def question(self, name: str) -> Question:
        return self._index[name]

    def has_question(self, name: str) -> bool:
        return name in self._index

    def section(self, name: str) -> Section:
        for section in self.sections:
            if section.name == name:
                return section
        raise KeyError(name)

    def all_questions(self) -> Iterator[Question]:
        """Every question, repeat-group children right after their group."""
        for section in self.sections:
            for question in section.questions:
                yield question
                yield from question.questions

    def choice_list(self, name: str) -> tuple[Choice, ...]:
        return self.choices[name]

    def choice(self, list_name: str, code: str) -> Choice | None:
        for choice in self.choices.get(list_name, ()):
            if choice.code == code:
                return choice
        return None

    @property
    def key(self) -> str:
        return f"{self.id}-v{self.version}"


@dataclass(frozen=True)
class Plan:
    """Plain lookup tables the engine walks, built once per loaded definition.

    The engine consults them for every question on every pass; plain dicts keep
    that cheap, where the validated models' attributes are not.
    """

    questions: dict[str, Question]
    relevant: dict[str, Expression | None]
    constraint: dict[str, Expression | None]
    group: dict[str, str | None]
    children: dict[str, tuple[Question, ...]]
    kinds: dict[str, QuestionKind]
    #: The questions outside any repeat group, by name.
    top: dict[str, Question]
    #: Each repeat group's questions by name, and the names an entry may hold: those and,
    #: beside a date or year, the same name with :data:`AS_WRITTEN_SUFFIX`.
    entry_questions: dict[str, dict[str, Question]]
    entry_names: dict[str, frozenset[str]]

    @classmethod
    def build(cls, questionnaire: Questionnaire) -> Plan:
        questions = {q.name: q for q in questionnaire.all_questions()}
        entry_questions = {
            name: {c.name: c for c in q.questions}
            for name, q in questions.items()
            if q.kind.container
        }
        return cls(
            questions=questions,
            relevant={name: q.relevant_expr for name, q in questions.items()},
            constraint={name: q.constraint_expr for name, q in questions.items()},
            group={name: q.group for name, q in questions.items()},
            children={name: q.questions for name, q in questions.items() if q.kind.container},
            kinds={name: q.kind for name, q in questions.items()},
            top={name: q for name, q in questions.items() if q.group is None},
            entry_questions=entry_questions,
            entry_names={
                name: frozenset(children) | _written_names(children)
                for name, children in entry_questions.items()
            },
        )


def _written_names(questions: Mapping[str, Question]) -> frozenset[str]:
    """The names a date or year typed in another calendar is kept under, beside its answer."""
    return frozenset(name + AS_WRITTEN_SUFFIX for name, q in questions.items() if q.kind.calendar)


# ------------------------------------------------------------------ problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where (question path and field) and what."""

    location: tuple[str, ...]
    message: Msg

    def where(self) -> str:
        return " › ".join(self.location) if self.location else "/"


class DefinitionError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the questionnaire definition")
        self.problems = list(problems)


def _pydantic_problems(raw: dict[str, Any], error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        location = _readable_location(raw, item["loc"])
        kind = item["type"]
        if kind == "missing":
            message = Msg(N_("required field is missing"))
        elif kind == "extra_forbidden":
            message = Msg(N_("unknown field"))
        elif kind == "literal_error":
            message = Msg(
                N_("'%(value)s' is not one of: %(allowed)s"),
                {"value": item.get("input"), "allowed": item["ctx"]["expected"]},
            )
        elif kind == "string_pattern_mismatch":
            message = Msg(N_("'%(value)s' has the wrong form"), {"value": item.get("input")})
        else:
            message = Msg(N_("invalid value: %(detail)s"), {"detail": item["msg"]})
        problems.append(Problem(location, message))
    return problems


def _readable_location(raw: Any, loc: tuple[int | str, ...]) -> tuple[str, ...]:
    """Turn ('sections', 2, 'questions', 1, 'type') into ('languages', 'mother_tongue', 'type')."""
    parts: list[str] = []
    node = raw
    pending_list: str | None = None
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
            name = node.get("name") or node.get("code") if isinstance(node, dict) else None
            parts.append(str(name) if name else f"{pending_list}[{step}]")
            pending_list = None
            continue
        if isinstance(node, dict) and step in ("sections", "questions"):
            node = node.get(step)
            pending_list = str(step)
            continue
        if isinstance(node, dict) and step == "choices" and isinstance(node.get("choices"), dict):
            node = node["choices"]
            parts.append("choices")
            continue
        parts.append(str(step))
        node = node.get(step) if isinstance(node, dict) else None
    return tuple(parts)


# ------------------------------------------------------------------ the whole-definition check


class _Checker:
    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self.problems: list[Problem] = []
        self.used_lists: set[str] = set()

    def add(self, location: tuple[str, ...], msgid: str, **params: Any) -> None:
        self.problems.append(Problem(location, Msg(msgid, params)))

    def run(self) -> list[Problem]:
        seen_sections: set[str] = set()
        for section in self.q.sections:
            if section.name in seen_sections:
                self.add(
                    (section.name,), N_("section name '%(name)s' is used twice"), name=section.name
                )
            seen_sections.add(section.name)
            if not section.questions:
                self.add((section.name,), N_("the section has no questions"))
            for question in section.questions:
                self._register(question, section.name, None)
        for section in self.q.sections:
            for question in section.questions:
                self._check(question, (section.name, question.name), None)
                for child in question.questions:
                    self._check(child, (section.name, question.name, child.name), question)
        for list_name, choices in self.q.choices.items():
            self._check_list(list_name, choices)
        return self.problems

    def _register(self, question: Question, section: str, group: Question | None) -> None:
        index = self.q._index
        if question.name in index or question.name == VALUE:
            self.add(
                (section, question.name),
                N_("question name '%(name)s' is used twice"),
                name=question.name,
            )
        else:
            index[question.name] = question
        question._section = section
        question._group = group.name if group else None
        for child in question.questions:
            self._register(child, section, question)

    def _check(self, question: Question, where: tuple[str, ...], group: Question | None) -> None:
        kind = question.type
        entry = question.kind
        if entry.choice:
            if question.choices is None:
                self.add(
                    (*where, "choices"), N_("a %(type)s question needs a code list"), type=kind
                )
            elif question.choices not in self.q.choices:
                self.add(
                    (*where, "choices"), N_("unknown code list '%(list)s'"), list=question.choices
                )
            else:
                self.used_lists.add(question.choices)
        elif question.choices is not None:
            self.add(
                (*where, "choices"),
                N_("only single and multiple choice questions take a code list"),
            )
        if entry.container:
            if group is not None:
                self.add(where, N_("a repeat group cannot hold another repeat group"))
            if not question.questions:
                self.add((*where, "questions"), N_("a repeat group needs questions"))
            titles = {c.name for c in question.questions}
            if question.entry_title is not None and question.entry_title not in titles:
                self.add(
                    (*where, "entry_title"),
                    N_("'%(name)s' is not a question of this group"),
                    name=question.entry_title,
                )
        elif question.questions:
            self.add((*where, "questions"), N_("only a repeat group holds questions"))
        if entry.is_note and question.required:
            self.add((*where, "required"), N_("a note cannot be required"))
        if question.multiple and entry.codes is None:
            self.add(
                (*where, "multiple"), N_("only language and country questions take 'multiple'")
            )
        if question.min is not None and question.max is not None and question.min > question.max:
            self.add((*where, "min"), N_("min is greater than max"))
        if (question.min is not None or question.max is not None) and not entry.takes_range:
            self.add((*where, "min"), N_("only integer and year questions take min and max"))
        if question.constraint and not question.constraint_message:
            self.add((*where, "constraint_message"), N_("a constraint needs a message"))
        if question.constraint_message and not question.constraint:
            self.add((*where, "constraint_message"), N_("a message without a constraint"))
        for field_name in ("relevant", "constraint"):
            source = getattr(question, field_name)
            if source:
                expression = self._expression(question, field_name, source, where, group)
                setattr(question, f"_{field_name}", expression)

    def _expression(
        self, question: Question, field_name: str, source: str,
        where: tuple[str, ...], group: Question | None,
    ) -> Expression | None:  # fmt: skip
        location = (*where, field_name)
        try:
            expression = compile_expression(source)
        except ExpressionError as exc:
            self.add(location, N_("invalid expression: %(reason)s"), reason=exc.message)
            return None
        ok = True
        for name in sorted(expression.names):
            if name == VALUE:
                if field_name != "constraint":
                    self.add(location, N_("'value' can only be used in a constraint"))
                    ok = False
                continue
            if not self.q.has_question(name):
                self.add(location, N_("unknown question '%(name)s'"), name=name)
                ok = False
                continue
            target = self.q.question(name)
            if target.group is not None and target.group != (group.name if group else None):
                self.add(
                    location,
                    N_("'%(name)s' is inside repeat group '%(group)s' and out of reach here"),
                    name=name,
                    group=target.group,
                )
                ok = False
            elif name == question.name:
                self.add(location, N_("a question cannot refer to itself; use 'value'"))
                ok = False
        for name, codes in expression.comparisons():
            target_name = question.name if name == VALUE else name
            if not self.q.has_question(target_name):
                continue
            target = self.q.question(target_name)
            if target.kind.choice and target.choices in self.q.choices:
                known = {c.code for c in self.q.choices[target.choices]}
                for code in codes:
                    if code not in known:
                        self.add(
                            location,
                            N_("'%(code)s' is not a code of '%(list)s'"),
                            code=code,
                            list=target.choices,
                        )
                        ok = False
        return expression if ok else None

    def _check_list(self, list_name: str, choices: tuple[Choice, ...]) -> None:
        where = ("choices", list_name)
        if not choices:
            self.add(where, N_("the code list is empty"))
        seen: set[str] = set()
        for choice in choices:
            if choice.code in seen:
                self.add(
                    (*where, choice.code), N_("code '%(code)s' is used twice"), code=choice.code
                )
            seen.add(choice.code)
        for attribute in DERIVED_CODES:
            given = [getattr(choice, attribute) is not None for choice in choices]
            if any(given) and not all(given):
                for choice, has in zip(choices, given, strict=True):
                    if not has:
                        self.add(
                            (*where, choice.code),
                            N_(
                                "code '%(code)s' has no %(attribute)s, which other codes of "
                                "the list have"
                            ),
                            code=choice.code,
                            attribute=attribute,
                        )
        if list_name not in self.used_lists:
            self.add(where, N_("the code list is not used by any question"))


# ------------------------------------------------------------------ loading


def parse_definition(text: str) -> Questionnaire:
    """Read a definition from TOML text; raise :class:`DefinitionError` listing every problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(
            [Problem((), Msg(N_("not valid TOML: %(reason)s"), {"reason": str(exc)}))]
        ) from None
    try:
        questionnaire = Questionnaire.model_validate(raw)
    except ValidationError as exc:
        raise DefinitionError(_pydantic_problems(raw, exc)) from None
    problems = _Checker(questionnaire).run()
    if problems:
        raise DefinitionError(problems)
    return questionnaire


def load_definition(path: Path) -> Questionnaire:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DefinitionError([Problem((), Msg(N_("the file is not UTF-8 text")))]) from None
    except OSError as exc:
        raise DefinitionError(
            [Problem((), Msg(N_("cannot read the file: %(reason)s"), {"reason": exc.strerror}))]
        ) from None
    return parse_definition(text)


def builtin_path(questionnaire_id: str = BUILTIN_ID, version: str = BUILTIN_VERSION) -> Path:
    return DEFINITIONS_DIR / f"{questionnaire_id}-v{version}.toml"


@cache
def load_builtin(
    questionnaire_id: str = BUILTIN_ID, version: str = BUILTIN_VERSION
) -> Questionnaire:
    """A questionnaire shipped with the package, by id and version (old records name theirs)."""
    return load_definition(builtin_path(questionnaire_id, version))


def questionnaire_of(questionnaire_id: str, version: str) -> Questionnaire | None:
    """The built-in questionnaire a record names (its id and version), or ``None`` when
    Kompass has no such questionnaire. Cached, as :func:`load_builtin`: the resume, the review,
    ``show``, every export and every record imported read each record's own questionnaire,
    never only the newest."""
    if not (isinstance(questionnaire_id, str) and isinstance(version, str)):
        return None
    return _builtin_or_none(questionnaire_id, version)


@lru_cache(maxsize=64)  # bounded: the names come from files being imported
def _builtin_or_none(questionnaire_id: str, version: str) -> Questionnaire | None:
    if not (_BUILTIN_PART.fullmatch(questionnaire_id) and _BUILTIN_PART.fullmatch(version)):
        return None
    if not builtin_path(questionnaire_id, version).is_file():
        return None
    return load_builtin(questionnaire_id, version)


def builtin_versions(questionnaire_id: str = BUILTIN_ID) -> list[Questionnaire]:
    """Every built-in version of ``questionnaire_id``, the newest first."""
    found = []
    for path in DEFINITIONS_DIR.glob(f"{questionnaire_id}-v*.toml"):
        version = path.stem.removeprefix(f"{questionnaire_id}-v")
        loaded = questionnaire_of(questionnaire_id, version)
        if loaded is not None:
            found.append(loaded)
    return sorted(found, key=lambda q: (len(q.version), q.version), reverse=True)
