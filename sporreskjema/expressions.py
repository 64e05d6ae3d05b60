"""Small expressions for skip logic (``relevant``) and ``constraint``.

The syntax is a safe subset of Python expressions, in the spirit of XLSForm:

    has_work_experience == "yes"
    selected(short_term_goals, "other")
    value >= year(birth_date) and value <= this_year()

Names are other questions (a question inside a repeat group sees its siblings in
the same entry first); ``value`` is the answer being checked. An unanswered
question is ``None``, and anything computed from ``None`` stays unknown: a
constraint fails only when it is certainly false, and a question is shown only
when its ``relevant`` is certainly true (so ``status != 'ongoing'`` hides the end
year until the status is answered). ``answered(name)`` asks whether there is an answer;
``age(birth_date, permit_date)`` is whole years between two dates.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .i18n import N_, Msg, Nn_
from .identifiers import birth_date_of_national_id, is_national_id

#: The name bound to the answer a constraint is checking.
VALUE = "value"


class ExpressionError(ValueError):
    """A source string that is not an allowed expression; ``message`` says why."""

    def __init__(self, msgid: str | Msg, **params: Any) -> None:
        self.message = msgid if isinstance(msgid, Msg) else Msg(msgid, params)
        english = self.message.msgid_plural if self.message.n not in (None, 1) else None
        text = english or self.message.msgid
        params = dict(self.message.params)
        if self.message.n is not None:
            params["n"] = self.message.n
        super().__init__(text % params if params else text)


def _selected(answer: Any, code: Any) -> bool | None:
    if answer is None:
        return None
    if isinstance(answer, list | tuple | set | frozenset):
        return code in answer
    return bool(answer == code)


def _answered(answer: Any) -> bool:
    return answer not in (None, "", [], ())


def _year(value: Any) -> int | None:
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, int):
        return value
    return None


def _age(birth_date: Any, at: Any) -> int | None:
    """Whole years from ``birth_date`` to ``at`` (a birthday on 29 February counts from
    1 March in other years); unknown while either is."""
    if not isinstance(birth_date, dt.date) or not isinstance(at, dt.date):
        return None
    before_birthday = (at.month, at.day) < (birth_date.month, birth_date.day)
    return at.year - birth_date.year - before_birthday


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list | tuple) else 0


def _id_matches_birth_date(identifier: Any, birth_date: Any) -> bool | None:
    """A national identity number or D-number carries a birth date; a DUF number does not."""
    if not isinstance(identifier, str) or not isinstance(birth_date, dt.date):
        return None
    if not is_national_id(identifier):
        return True
    encoded = birth_date_of_national_id(identifier)
    if encoded is None:
        return None
    return (encoded.day, encoded.month, encoded.year % 100) == (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    )


@dataclass(frozen=True)
class Function:
    arity: int
    impl: Callable[..., Any]
    needs_today: bool = False


FUNCTIONS: dict[str, Function] = {
    "selected": Function(2, _selected),
    "answered": Function(1, _answered),
    "year": Function(1, _year),
    "count": Function(1, _count),
    "age": Function(2, _age),
    "today": Function(0, lambda today: today, needs_today=True),
    "this_year": Function(0, lambda today: today.year, needs_today=True),
    "id_matches_birth_date": Function(2, _id_matches_birth_date),
}

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}

_ARITH: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
}


@dataclass(frozen=True)
class Expression:
    source: str
    tree: ast.expr
    names: frozenset[str]

    def evaluate(self, lookup: Callable[[str], Any], today: dt.date) -> Any:
        return _Evaluator(lookup, today).visit(self.tree)

    def is_true(self, lookup: Callable[[str], Any], today: dt.date) -> bool:
        return self.evaluate(lookup, today) is True

    def is_false(self, lookup: Callable[[str], Any], today: dt.date) -> bool:
        return self.evaluate(lookup, today) is False

    def comparisons(self) -> Iterable[tuple[str, list[str]]]:
        """Pairs of (question name, codes it is compared with), for checking codes exist."""
        for node in ast.walk(self.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "selected"
                and len(node.args) == 2
                and isinstance(node.args[0], ast.Name)
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                yield node.args[0].id, [node.args[1].value]
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name):
                for op, right in zip(node.ops, node.comparators, strict=True):
                    if not isinstance(op, ast.Eq | ast.NotEq | ast.In | ast.NotIn):
                        continue
                    codes = _string_constants(right)
                    if codes:
                        yield node.left.id, codes


def _string_constants(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List):
        return [
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


def compile_expression(source: str) -> Expression:
    """Parse ``source`` and check that it uses only the allowed constructs."""
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(
            N_("syntax error at column %(column)d"), column=exc.offset or 0
        ) from None
    names: set[str] = set()
    for node in ast.walk(tree):
        _check_node(node, names)
    return Expression(source=source, tree=tree, names=frozenset(names))


def _check_node(node: ast.AST, names: set[str]) -> None:
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise ExpressionError(N_("unknown function '%(name)s'"), name=called)
        if node.keywords:
            raise ExpressionError(N_("%(name)s() takes no keyword arguments"), name=node.func.id)
        wanted = FUNCTIONS[node.func.id].arity
        if len(node.args) != wanted:
            raise ExpressionError(
                Msg.plural(
                    Nn_("%(name)s() takes %(n)d argument", "%(name)s() takes %(n)d arguments"),
                    wanted,
                    name=node.func.id,
                )
            )
        return
    if isinstance(node, ast.Name):
        if not isinstance(node.ctx, ast.Load):  # pragma: no cover - eval mode only loads
            raise ExpressionError(N_("assignment is not allowed"))
        if node.id not in FUNCTIONS:
            names.add(node.id)
        return
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str | int | bool | type(None)):
            raise ExpressionError(
                N_("the constant %(value)s is not allowed"), value=repr(node.value)
            )
        return
    if isinstance(node, ast.BinOp) and type(node.op) not in _ARITH:
        raise ExpressionError(N_("only + and - are allowed"))
    if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not | ast.USub):
        raise ExpressionError(N_("only 'not' and unary '-' are allowed"))
    allowed = (
        ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Compare, ast.BinOp,
        ast.Add, ast.Sub, ast.Tuple, ast.List, ast.Load, *_COMPARE,
    )  # fmt: skip
    if not isinstance(node, allowed):
        raise ExpressionError(N_("%(construct)s is not allowed"), construct=type(node).__name__)


class _Evaluator:
    def __init__(self, lookup: Callable[[str], Any], today: dt.date) -> None:
        self.lookup = lookup
        self.today = today

    def visit(self, node: ast.expr) -> Any:
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Name(id=name):
                return self.lookup(name)
            case ast.Tuple(elts=elts) | ast.List(elts=elts):
                return tuple(self.visit(e) for e in elts)
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                value = self.visit(operand)
                return None if value is None else not value
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                value = self.visit(operand)
                return None if value is None else -value
            case ast.BinOp(left=left, op=op, right=right):
                a, b = self.visit(left), self.visit(right)
                if a is None or b is None:
                    return None
                return _ARITH[type(op)](a, b)
            case ast.BoolOp(op=op, values=values):
                return self._boolop(isinstance(op, ast.And), values)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                return self._compare(left, ops, comparators)
            case ast.Call(func=ast.Name(id=name), args=args):
                function = FUNCTIONS[name]
                values = [self.visit(a) for a in args]
                if function.needs_today:
                    return function.impl(self.today)
                return function.impl(*values)
        raise ExpressionError(
            N_("cannot evaluate %(source)s"), source=ast.unparse(node)
        )  # pragma: no cover

    def _boolop(self, is_and: bool, nodes: list[ast.expr]) -> bool | None:
        unknown = False
        for node in nodes:
            value = self.visit(node)
            if value is None:
                unknown = True
            elif bool(value) is not is_and:
                return not is_and
        return None if unknown else is_and

    def _compare(self, left: ast.expr, ops: list[ast.cmpop], comparators: list[ast.expr]) -> Any:
        a = self.visit(left)
        for op, node in zip(ops, comparators, strict=True):
            b = self.visit(node)
            membership = isinstance(op, ast.In | ast.NotIn)
            equality = isinstance(op, ast.Eq | ast.NotEq)
            if a is None or (b is None and not (equality or membership)):
                # an unanswered question makes the comparison unknown: a follow-up question
                # stays hidden until the question it depends on is answered
                return None
            try:
                result = _COMPARE[type(op)](a, b)
            except TypeError:
                return None
            if not result:
                return False
            a = b
        return True
