"""The questionnaire's expressions (:mod:`sporreskjema.expressions`) as XPath, for XLSForm's
``relevant`` and ``constraint`` columns (ODK Collect, KoboToolbox).

The engine reads an expression in three values: an unanswered question is unknown, anything
computed from it stays unknown, a question is shown only when its ``relevant`` is *certainly
true* and an answer is refused only when its ``constraint`` is *certainly false*. XPath has
two values and reads an unanswered question as the empty string, so each expression is
translated twice (:func:`translate`): into the XPath that is true exactly when the engine's
value is true, and the one that is true exactly when it is false. ``relevant`` is the first;
``constraint`` is ``not(`` the second ``)``.

Names become ``${name}`` (XLSForm's reference, which pyxform resolves to the sibling in the
same repeat first, as the engine does); ``value`` becomes ``.``. Dates are compared as ODK
compares them; a date's year is ``format-date(…, '%Y')``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from .expressions import VALUE, Expression

#: What a question's answer is, as far as XPath is concerned.
Kind = Literal["date", "number", "string", "set"]

#: The engine's question types and the kind of their answers (a type missing here cannot be
#: named in an expression that goes to XLSForm).
KINDS: Final[Mapping[str, Kind]] = {
    "date": "date",
    "year": "number",
    "integer": "number",
    "text": "string",
    "single": "string",
    "country": "string",
    "person_id": "string",
    "phone": "string",
    "email": "string",
    "multiple": "set",
    "ranked": "set",
    "confirm": "string",
}


class XPathError(ValueError):
    """An expression with something XPath cannot say here."""


@dataclass(frozen=True)
class Translation:
    """``true``: XPath true exactly when the engine's value is true; ``false``: exactly when
    it is false (neither while it is unknown)."""

    true: str
    false: str

    @property
    def relevant(self) -> str:
        return self.true

    @property
    def constraint(self) -> str:
        return f"not({self.false})"


@dataclass(frozen=True)
class _Term:
    """A value: its XPath, the XPath that is true while it is known (``None``: always), and
    its kind."""

    text: str
    known: str | None
    kind: Kind


def translate(
    expression: Expression, kinds: Mapping[str, Kind], value_kind: Kind | None = None
) -> Translation:
    """``expression`` as XPath; ``kinds``: the kind of each question it may name,
    ``value_kind``: the kind of ``value`` (the answer a constraint checks)."""
    return _Translator(kinds, value_kind).condition(expression.tree)


def _and(*parts: str | None) -> str:
    present = [part for part in parts if part]
    if not present:
        return "true()"
    return present[0] if len(present) == 1 else "(" + " and ".join(present) + ")"


def _or(*parts: str) -> str:
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


def _string(text: str) -> str:
    if "'" in text:
        raise XPathError(f"a code with a quote cannot be written in XPath 1.0: {text!r}")
    return f"'{text}'"


def _year_of(date: str) -> str:
    return f"number(format-date({date}, '%Y'))"


_OPERATORS: Final = {
    ast.Eq: "=", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
}  # fmt: skip


class _Translator:
    def __init__(self, kinds: Mapping[str, Kind], value_kind: Kind | None) -> None:
        self.kinds = kinds
        self.value_kind = value_kind

    # ------------------------------------------------------------ conditions

    def condition(self, node: ast.expr) -> Translation:
        match node:
            case ast.BoolOp(op=ast.And(), values=values):
                parts = [self.condition(value) for value in values]
                return Translation(_and(*(p.true for p in parts)), _or(*(p.false for p in parts)))
            case ast.BoolOp(op=ast.Or(), values=values):
                parts = [self.condition(value) for value in values]
                return Translation(_or(*(p.true for p in parts)), _and(*(p.false for p in parts)))
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                inner = self.condition(operand)
                return Translation(inner.false, inner.true)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                return self._compare(left, ops, comparators)
            case ast.Call(func=ast.Name(id="selected"), args=[question, code]):
                term = self.value(question)
                if not (isinstance(code, ast.Constant) and isinstance(code.value, str)):
                    raise XPathError("selected() takes a code")
                test = f"selected({term.text}, {_string(code.value)})"
                return Translation(_and(term.known, test), _and(term.known, f"not({test})"))
            case ast.Call(func=ast.Name(id="answered"), args=[question]):
                term = self.value(question)
                known = term.known or "true()"
                return Translation(known, f"not({known})")
            case ast.Call(func=ast.Name(id="id_matches_birth_date"), args=[identifier, birth]):
                return self._id_matches(self.value(identifier), self.value(birth))
        raise XPathError(f"not a condition XPath can say: {ast.unparse(node)}")

    def _compare(
        self, left: ast.expr, ops: list[ast.cmpop], comparators: list[ast.expr]
    ) -> Translation:
        trues, falses = [], []
        a = self.value(left)
        for op, node in zip(ops, comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(node, ast.Tuple | ast.List):
                    raise XPathError("'in' takes a list of codes")
                members = [self.value(element) for element in node.elts]
                test = _or(*(f"{a.text} = {member.text}" for member in members))
                if isinstance(op, ast.NotIn):
                    test = f"not({test})"
                b = None
            elif type(op) in _OPERATORS:
                b = self.value(node)
                test = f"{a.text} {_OPERATORS[type(op)]} {b.text}"
            else:  # pragma: no cover - the expression's own check allows no other
                raise XPathError(f"no XPath for {type(op).__name__}")
            known = _and(a.known, b.known if b is not None else None)
            trues.append(_and(known if known != "true()" else None, test))
            falses.append(_and(known if known != "true()" else None, f"not({test})"))
            if b is not None:
                a = b
        if len(trues) == 1:
            return Translation(trues[0], falses[0])
        # a < b < c: true when every pair is, false when one pair is
        return Translation(_and(*trues), _or(*falses))

    def _id_matches(self, identifier: _Term, birth: _Term) -> Translation:
        """A national identity number or D-number (11 digits) encodes the date of birth
        (DDMMYY, 40 added to the day of a D-number); a DUF number (12 digits) does not."""
        v, b = identifier.text, birth.text
        day = f"(number(substring({v}, 1, 2)) - 40 * number(number(substring({v}, 1, 1)) >= 4))"
        same = _and(
            f"{day} = number(format-date({b}, '%d'))",
            f"substring({v}, 3, 2) = format-date({b}, '%m')",
            f"substring({v}, 5, 2) = substring(format-date({b}, '%Y'), 3, 2)",
        )
        known = _and(identifier.known, birth.known)
        national = f"string-length({v}) = 11"
        return Translation(
            _and(known, _or(f"not({national})", same)), _and(known, national, f"not({same})")
        )

    # ------------------------------------------------------------ values

    def value(self, node: ast.expr) -> _Term:
        match node:
            case ast.Constant(value=bool() as flag):
                return _Term("true()" if flag else "false()", None, "string")
            case ast.Constant(value=int() as number):
                return _Term(str(number), None, "number")
            case ast.Constant(value=str() as text):
                return _Term(_string(text), None, "string")
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                inner = self.value(operand)
                return _Term(f"(-{inner.text})", inner.known, "number")
            case ast.BinOp(left=left, op=ast.Add() | ast.Sub() as op, right=right):
                a, b = self.value(left), self.value(right)
                sign = "+" if isinstance(op, ast.Add) else "-"
                return _Term(
                    f"({a.text} {sign} {b.text})",
                    _and(a.known, b.known) if a.known or b.known else None,
                    "number",
                )
            case ast.Name(id=name):
                return self._name(name)
            case ast.Call(func=ast.Name(id=function), args=args):
                return self._call(function, [self.value(arg) for arg in args])
        raise XPathError(f"not a value XPath can say: {ast.unparse(node)}")

    def _name(self, name: str) -> _Term:
        if name == VALUE:
            if self.value_kind is None:
                raise XPathError("'value' outside a constraint")
            return _Term(".", ". != ''", self.value_kind)
        kind = self.kinds.get(name)
        if kind is None:
            raise XPathError(f"no XPath kind for the question {name!r}")
        reference = f"${{{name}}}"
        return _Term(reference, f"{reference} != ''", kind)

    def _call(self, function: str, args: list[_Term]) -> _Term:
        if function == "today":
            return _Term("today()", None, "date")
        if function == "this_year":
            return _Term(_year_of("today()"), None, "number")
        if function == "year":
            (arg,) = args
            text = _year_of(arg.text) if arg.kind == "date" else arg.text
            return _Term(text, arg.known, "number")
        if function == "age":
            birth, at = args
            before_birthday = (
                f"number(number(format-date({at.text}, '%m%d')) "
                f"< number(format-date({birth.text}, '%m%d')))"
            )
            text = f"({_year_of(at.text)} - {_year_of(birth.text)} - {before_birthday})"
            return _Term(text, _and(birth.known, at.known), "number")
        if function == "count":
            (arg,) = args
            return _Term(f"count-selected({arg.text})", None, "number")
        raise XPathError(f"no XPath for {function}()")
