"""The expression language for skip logic and constraints."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sporreskjema.expressions import ExpressionError, compile_expression
from sporreskjema.i18n import translator

TODAY = dt.date(2026, 11, 27)
ANSWERS: dict[str, Any] = {
    "a": "yes", "n": 5, "goals": ["work", "other"], "born": dt.date(1990, 5, 17), "none": None,
    "jobs": [{}, {}],
}  # fmt: skip


def evaluate(source: str) -> Any:
    return compile_expression(source).evaluate(ANSWERS.get, TODAY)


@pytest.mark.parametrize(
    ("source", "result"),
    [
        ("a == 'yes'", True),
        ("a != 'yes'", False),
        ("a in ('yes', 'no')", True),
        ("a not in ('yes', 'no')", False),
        ("n > 3 and n < 10", True),
        ("1 < n <= 5", True),
        ("n - 5 == 0", True),
        ("-n < 0", True),
        ("not n > 3", False),
        ("selected(goals, 'other')", True),
        ("selected(goals, 'education')", False),
        ("selected(a, 'yes')", True),
        ("answered(none)", False),
        ("answered(goals)", True),
        ("year(born)", 1990),
        ("this_year()", 2026),
        ("today() > born", True),
        ("count(jobs)", 2),
        ("count(none)", 0),
        # unknown stays unknown
        ("none == 'yes'", None),
        ("none != 'yes'", None),
        ("none in ('a', 'b')", None),
        ("none > 3", None),
        ("year(none) >= 1990", None),
        ("none > 3 and n > 3", None),
        ("none > 3 and n < 3", False),
        ("none > 3 or n > 3", True),
        ("not (none > 3)", None),
        ("selected(none, 'x')", None),
        ("none + 1", None),
        ("a < 3", None),  # comparing text with a number is unknown, not an error
    ],
)
def test_evaluates(source: str, result: Any) -> None:
    assert evaluate(source) == result


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "a.upper()",
        "open('x')",
        "[x for x in goals]",
        "lambda: 1",
        "a if n else b",
        "n * 2",
        "n ** 2",
        "goals[0]",
        "selected(goals)",
        "year(born, 1)",
        "year(x=born)",
        "1.5 > n",
        "~n",
        "a ==",
        "",
        "{'a': 1}",
        "f'{a}'",
    ],
)
def test_refuses(source: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source)
    assert caught.value.message.msgid


@pytest.mark.parametrize(
    ("source", "english"),
    [
        ("selected(goals)", "selected() takes 2 arguments"),
        ("year(born, 1)", "year() takes 1 argument"),
    ],
)
def test_wrong_number_of_arguments_is_counted_in_words(source: str, english: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source)
    assert str(caught.value) == english
    assert caught.value.message.render(translator("en")) == english


def test_names_are_collected() -> None:
    expression = compile_expression("selected(goals, 'x') and value >= year(born)")
    assert expression.names == {"goals", "value", "born"}


@given(st.text(max_size=60))
def test_any_source_compiles_or_is_refused_cleanly(source: str) -> None:
    try:
        expression = compile_expression(source)
    except ExpressionError:
        return
    with contextlib.suppress(ArithmeticError, OverflowError):
        expression.evaluate(lambda name: None, TODAY)
