"""Every ``relevant`` and ``constraint`` of the XLSForm, evaluated as XPath 1.0 (libxml2, through
lxml) on sample instances, gives the engine's own answer for the same input: a question is
shown exactly when the engine shows it, an answer refused exactly when the engine refuses it.

The instance is built as ODK builds it (each question an element, a repeat's questions inside
its element, several choices apart by spaces), ``${name}`` resolved as pyxform resolves it (a
sibling in the same repeat first), and ODK's own functions (``today``, ``format-date``,
``selected``, ``count-selected``, ``regex``, ``date``) given as JavaRosa defines them: a date
compared with ``<`` is its number of days since 1970, as JavaRosa converts it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from lxml import etree

from kompass_tui.exchange import xlsform
from sporreskjema import Question, Questionnaire, load_builtin
from sporreskjema.identifiers import is_duf_number, is_national_id, national_id_check_digits
from tests.support.helpers import TODAY

EPOCH = dt.date(1970, 1, 1)
#: Samples per expression at most (all combinations when there are fewer).
SAMPLES = 400


def days(day: dt.date) -> int:
    return (day - EPOCH).days


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "" if not value else str(value[0].text or "")
    return "" if value is None else str(value)


def _as_date(value: Any) -> dt.date:
    text = _text(value)
    if re.fullmatch(r"-?[0-9]+(\.0)?", text):
        return EPOCH + dt.timedelta(days=int(float(text)))
    return dt.date.fromisoformat(text)


def _format_date(_context: Any, value: Any, picture: str) -> str:
    day = _as_date(value)
    return (
        picture.replace("%Y", f"{day.year:04d}")
        .replace("%m", f"{day.month:02d}")
        .replace("%d", f"{day.day:02d}")
    )


ODK_FUNCTIONS = {
    (None, "today"): lambda _context: float(days(TODAY)),
    (None, "date"): lambda _context, text: float(days(_as_date(text))),
    (None, "format-date"): _format_date,
    (None, "selected"): lambda _context, value, code: _text(code) in _text(value).split(),
    (None, "count-selected"): lambda _context, value: float(len(_text(value).split())),
    (None, "regex"): lambda _context, value, pattern: (
        re.search(_text(pattern), _text(value)) is not None
    ),
}


def _xml(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return str(days(value))
    if isinstance(value, list | tuple):
        return " ".join(value)
    return str(value)


class Instance:
    """The answers as ODK's instance: ``/data/name``, ``/data/group/name`` in a repeat."""

    def __init__(self, questionnaire: Questionnaire, answers: dict[str, Any], group: str | None):
        self.root = etree.Element("data")
        entry = etree.SubElement(self.root, group) if group else None
        for name, value in answers.items():
            inner = questionnaire.question(name).group
            parent = entry if inner is not None and inner == group else self.root
            etree.SubElement(parent, name).text = _xml(value)

    def node(self, name: str) -> Any:
        found = self.root.xpath(f"//{name}")
        return found[0]


def resolve(xpath: str, questionnaire: Questionnaire, group: str | None) -> str:
    """``${name}`` as pyxform resolves it: a sibling in the same repeat relative, the rest
    absolute."""

    def path(match: re.Match[str]) -> str:
        name = match.group(1)
        inner = questionnaire.question(name).group
        return f"../{name}" if inner is not None and inner == group else f"/data/{name}"

    return re.sub(r"\$\{([a-z_0-9]+)\}", path, xpath)


def evaluate(xpath: str, instance: Instance, context: str) -> bool:
    compiled = etree.XPath(xpath, extensions=ODK_FUNCTIONS)
    result = compiled(instance.node(context))
    assert isinstance(result, bool), (xpath, result)
    return result


# ---------------------------------------------------------------- sample answers


def national_id(born: dt.date, *, d_number: bool = False) -> str:
    for individual in range(100, 500):
        day = born.day + (40 if d_number else 0)
        first = f"{day:02d}{born.month:02d}{born.year % 100:02d}{individual:03d}"
        check = national_id_check_digits(first)
        if check is not None:
            return first + check
    raise AssertionError("no valid number")  # pragma: no cover


BORN = dt.date(1988, 3, 14)
DATES = [
    None, TODAY, TODAY + dt.timedelta(days=1), BORN, dt.date(2000, 2, 29), dt.date(1905, 6, 1),
    dt.date(TODAY.year - 16, TODAY.month, TODAY.day), dt.date(TODAY.year - 16, TODAY.month, TODAY.day + 1),
    dt.date(2010, 11, 28), dt.date(1971, 11, 26),
]  # fmt: skip
NUMBERS = [None, 0, 3, 12, 40, 1987, 1988, 2005, 2026]
PERSON_IDS = [
    None, "202412345678", national_id(BORN), national_id(BORN, d_number=True),
    national_id(dt.date(1990, 5, 17)),
]  # fmt: skip


def candidates(question: Question, codes: list[str]) -> list[Any]:
    kind = xlsform.xpath_kind(question)
    if question.type == "person_id":
        return PERSON_IDS
    if kind == "date":
        return DATES
    if kind == "number":
        return NUMBERS
    if kind == "set":
        return [None, [], *([code] for code in codes), codes[:2]] if codes else [None, [], ["x"]]
    return [None, *codes, "something_else"]


def value_candidates(question: Question) -> list[Any]:
    """Answers of the right type that pass the type's own checks (so that only the
    question's constraint decides)."""
    if question.type == "person_id":
        return PERSON_IDS[1:]
    if question.type == "date":
        return [day for day in DATES if day is not None and day.year >= 1900]
    if question.type == "year":
        return [n for n in NUMBERS if n is not None and 1900 <= n <= TODAY.year]
    if question.type == "integer":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else 10**6
        return [n for n in NUMBERS if n is not None and low <= n <= high]
    raise AssertionError(question.type)  # pragma: no cover


def samples(
    questionnaire: Questionnaire, question: Question, with_value: bool
) -> Iterator[dict[str, Any]]:
    expression = question.constraint_expr if with_value else question.relevant_expr
    assert expression is not None
    codes: dict[str, list[str]] = {}
    for name, found in expression.comparisons():
        codes.setdefault(name, []).extend(found)
    names = sorted(expression.names - {"value"})
    pools = [candidates(questionnaire.question(name), codes.get(name, [])) for name in names]
    if with_value:
        names.append(question.name)
        pools.append(value_candidates(question))
    combos = list(itertools.product(*pools))
    if len(combos) > SAMPLES:
        combos = random.Random(question.name).sample(combos, SAMPLES)
    for combo in combos:
        yield dict(zip(names, combo, strict=True))


# ---------------------------------------------------------------- the tests


def _form_columns(questionnaire: Questionnaire) -> dict[str, tuple[str, str]]:
    survey = xlsform.build(questionnaire).survey
    header = survey[0]
    at = {name: header.index(name) for name in ("relevant", "constraint")}
    return {row[1]: (row[at["relevant"]], row[at["constraint"]]) for row in survey[1:] if row[1]}


QUESTIONNAIRE = load_builtin()
WITH_RELEVANT = [q for q in QUESTIONNAIRE.all_questions() if q.relevant_expr is not None]
WITH_CONSTRAINT = [q for q in QUESTIONNAIRE.all_questions() if q.constraint_expr is not None]


@pytest.fixture(scope="module")
def columns() -> dict[str, tuple[str, str]]:
    return _form_columns(QUESTIONNAIRE)


def _lookup(answers: dict[str, Any]) -> Any:
    return lambda name: answers.get(name)


@pytest.mark.parametrize("question", WITH_RELEVANT, ids=lambda q: q.name)
def test_a_question_is_shown_exactly_when_the_engine_shows_it(
    question: Question, columns: dict[str, tuple[str, str]]
) -> None:
    xpath = resolve(columns[question.name][0], QUESTIONNAIRE, question.group)
    assert xpath
    seen = set()
    for answers in samples(QUESTIONNAIRE, question, with_value=False):
        expected = question.relevant_expr.is_true(_lookup(answers), TODAY)  # type: ignore[union-attr]
        instance = Instance(QUESTIONNAIRE, {**answers, question.name: None}, question.group)
        assert evaluate(xpath, instance, question.name) is expected, answers
        seen.add(expected)
    assert seen == {True, False}  # the samples reach both sides


@pytest.mark.parametrize("question", WITH_CONSTRAINT, ids=lambda q: q.name)
def test_an_answer_is_refused_exactly_when_the_engine_refuses_it(
    question: Question, columns: dict[str, tuple[str, str]]
) -> None:
    xpath = resolve(columns[question.name][1], QUESTIONNAIRE, question.group)
    assert xpath
    seen = set()
    for answers in samples(QUESTIONNAIRE, question, with_value=True):
        value = answers[question.name]
        lookup = _lookup({**answers, "value": value})
        expected = not question.constraint_expr.is_false(lookup, TODAY)  # type: ignore[union-attr]
        instance = Instance(QUESTIONNAIRE, answers, question.group)
        assert evaluate(xpath, instance, question.name) is expected, answers
        seen.add(expected)
    assert seen == {True, False}


def test_the_identifier_check_digits_in_xpath_are_the_engines() -> None:
    """The type's own check of a person's identifier (mod 11 for a national identity number,
    the year for a DUF number) against the engine's, on numbers valid and not."""
    question = QUESTIONNAIRE.question("person_id")
    xpath = xlsform._type_check(question)
    assert xpath is not None
    chance = random.Random(11)
    numbers = [national_id(dt.date(1950, 1, 1) + dt.timedelta(days=chance.randrange(25000)))
               for _ in range(150)]  # fmt: skip
    numbers += [f"{chance.randrange(10**11):011d}" for _ in range(300)]  # mostly invalid
    numbers += ["202412345678", "198912345678", "203012345678", "2024123456789", "1234567890"]
    numbers += [number[:-1] + str((int(number[-1]) + 1) % 10) for number in numbers[:50]]
    results = set()
    for number in numbers:
        instance = Instance(QUESTIONNAIRE, {"person_id": number}, None)
        expected = is_national_id(number) or is_duf_number(number, TODAY)
        assert evaluate(xpath, instance, "person_id") is expected, number
        results.add(expected)
    assert results == {True, False}
