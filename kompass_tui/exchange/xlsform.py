"""The questionnaire as an XLSForm (``kompass questionnaire xlsform``), for ODK Collect,
ODK Central and KoboToolbox.

One workbook, three sheets, as the XLSForm specification (xlsform.org) has them:

- ``survey``: each section a group, each repeat group a repeat, each question a row of the
  closest XLSForm type (:data:`XLSFORM_TYPES`), its skip logic as ``relevant`` and its checks
  as ``constraint`` (:mod:`sporreskjema.xpath`, which keeps the engine's reading of unanswered
  questions), with the check a type makes itself (a year's bounds, a text's length, an
  identifier's check digits) added;
- ``choices``: the questionnaire's code lists, and the countries and languages of CLDR;
- ``settings``: a stable ``form_id``, a ``version`` that changes when the form does, and,
  given one, the RSA public key that makes ODK encrypt each submission.

Every label, hint and message is in all sixteen languages (``label::Name (tag)``, with the
IANA tag: Dari is ``prs``), from the same catalogs the kiosk reads. What XPath cannot check
(a phone number's validity for its country, an e-mail address's form beyond a pattern, the
number of entries in a repeat) is checked again by ``kompass import --from-odk``; README.md
lists it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from kompass_tui.i18n import N_, Msg
from sporreskjema import Question, Questionnaire, translator
from sporreskjema.bounds import EARLIEST_DATE
from sporreskjema.cldr import country_options, language_options
from sporreskjema.i18n import LOCALES, Translator
from sporreskjema.identifiers import FIRST_DUF_YEAR, K1_WEIGHTS, K2_WEIGHTS
from sporreskjema.xpath import Kind, translate

#: Each question type and its XLSForm type (``{list}``: the question's choice list) and
#: appearance. A question type without an entry here cannot be written: the test of the
#: XLSForm fails for it (tests/exchange/test_xlsform.py).
XLSFORM_TYPES: Final[dict[str, tuple[str, str]]] = {
    "note": ("note", ""),
    "text": ("text", ""),
    "integer": ("integer", ""),
    "year": ("integer", ""),
    "date": ("date", ""),
    "single": ("select_one {list}", ""),
    "multiple": ("select_multiple {list}", ""),
    "language": ("select_one {list}", "autocomplete"),
    "country": ("select_one {list}", "autocomplete"),
    "phone": ("text", "numbers"),
    "email": ("text", ""),
    "ranked": ("rank {list}", ""),
    "duf": ("text", "numbers"),
    "national_id": ("text", "numbers"),
    "person_id": ("text", "numbers"),
    "confirm": ("acknowledge", ""),
    "repeat": ("begin_repeat", ""),
}

FORM_ID: Final = "kompass"
#: The form's metadata rows (XLSForm type: name); the names are not the questionnaire's.
METADATA: Final = {
    "start": "started_at", "end": "ended_at", "deviceid": "device_id", "username": "submitter",
}  # fmt: skip
COUNTRIES: Final = "countries"
LANGUAGES: Final = "languages"

#: Each locale's tag in the form (IANA: Dari is ``prs``) and its English name.
LANGUAGE_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "nb": ("nb", "Norwegian Bokmål"), "nn": ("nn", "Norwegian Nynorsk"), "en": ("en", "English"),
    "uk": ("uk", "Ukrainian"), "ru": ("ru", "Russian"), "ar": ("ar", "Arabic"),
    "fa_AF": ("prs", "Dari"), "ps": ("ps", "Pashto"), "ti": ("ti", "Tigrinya"),
    "so": ("so", "Somali"), "fr": ("fr", "French"), "ckb": ("ckb", "Central Kurdish"),
    "kmr": ("kmr", "Northern Kurdish"), "tr": ("tr", "Turkish"), "sw": ("sw", "Swahili"),
    "am": ("am", "Amharic"),
}  # fmt: skip

#: A text's length and a national identity number's check digits, as XPath.
_DUF = (
    "(string-length(.) = 12 and regex(., '^[0-9]{12}$') and "
    f"number(substring(., 1, 4)) >= {FIRST_DUF_YEAR} and "
    "number(substring(., 1, 4)) <= number(format-date(today(), '%Y')))"
)
_EMAIL = "regex(., '^[^@ ]+@[^@ ]+\\.[^@ ]+$')"
_PHONE = "regex(., '^\\+?[0-9 ]{5,20}$')"


def _check_digit(weights: tuple[int, ...], position: int) -> str:
    """The digit at ``position`` (1-based) is the mod-11 check of the ones before it."""
    total = " + ".join(
        f"{weight} * number(substring(., {index}, 1))"
        for index, weight in enumerate(weights, start=1)
    )
    return f"(11 - (({total}) mod 11)) mod 11 = number(substring(., {position}, 1))"


#: The date a national identity number or D-number (40 added to the day) encodes is a real one,
#: its century told by the individual number (``sporreskjema.identifiers``): 29 February only
#: in a leap year, and the year 00 a leap year only as 2000 (individual number 500 and up).
_DAY = "(number(substring(., 1, 2)) - 40 * number(number(substring(., 1, 1)) >= 4))"
_MONTH = "number(substring(., 3, 2))"
_YY = "number(substring(., 5, 2))"
_REAL_DATE = (
    f"({_DAY} >= 1 and {_MONTH} >= 1 and {_MONTH} <= 12 and "
    f"({_DAY} <= number(substring('312831303130313130313031', 2 * {_MONTH} - 1, 2)) or "
    f"({_MONTH} = 2 and {_DAY} = 29 and {_YY} mod 4 = 0 and "
    f"({_YY} != 0 or number(substring(., 7, 3)) >= 500))))"
)
_NATIONAL_ID = (
    "(string-length(.) = 11 and regex(., '^[0-9]{11}$') and "
    f"{_REAL_DATE} and {_check_digit(K1_WEIGHTS, 10)} and {_check_digit(K2_WEIGHTS, 11)})"
)


def _type_check(question: Question) -> str | None:
    """What the question's type checks itself, as XPath on ``.``."""
    kind = question.type
    if kind == "text":
        return f"string-length(.) <= {question.max_length}"
    if kind == "integer":
        parts = []
        if question.min is not None:
            parts.append(f". >= {question.min}")
        if question.max is not None:
            parts.append(f". <= {question.max}")
        return " and ".join(parts) or None
    if kind == "year":
        low = max(EARLIEST_DATE.year, question.min or EARLIEST_DATE.year)
        high = "number(format-date(today(), '%Y'))"
        if question.max is not None:
            return f". >= {low} and . <= {question.max} and . <= {high}"
        return f". >= {low} and . <= {high}"
    if kind == "date":
        return f". >= date('{EARLIEST_DATE.isoformat()}')"
    if kind == "person_id":
        return f"{_DUF} or {_NATIONAL_ID}"
    if kind == "duf":
        return _DUF
    if kind == "national_id":
        return _NATIONAL_ID
    if kind == "email":
        return _EMAIL
    if kind == "phone":
        return _PHONE
    return None


def xpath_kind(question: Question) -> Kind:
    """What the question's answer is in XPath."""
    if question.type in ("multiple", "ranked") or (
        question.type == "language" and question.multiple
    ):
        return "set"
    if question.type == "date":
        return "date"
    if question.type in ("integer", "year"):
        return "number"
    return "string"


class KeyError_(ValueError):
    """An ODK public key file that is not one."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.msgid)
        self.message = message


#: DER of the rsaEncryption algorithm identifier (1.2.840.113549.1.1.1).
_RSA_OID: Final = bytes.fromhex("06092a864886f70d010101")


def read_odk_public_key(path: Path) -> str:
    """The RSA public key in a PEM file as ODK's ``public_key`` setting wants it: the base64 of
    its DER, on one line."""
    try:
        text = path.read_text("ascii")
    except (OSError, UnicodeDecodeError):
        raise KeyError_(
            Msg(N_("%(path)s cannot be read as a PEM public key."), {"path": str(path)})
        ) from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if (
        not lines
        or lines[0] != "-----BEGIN PUBLIC KEY-----"
        or lines[-1] != "-----END PUBLIC KEY-----"
    ):
        raise KeyError_(
            Msg(
                N_(
                    "%(path)s is not a PEM public key (-----BEGIN PUBLIC KEY-----). Make one with: openssl rsa -in KEY.pem -pubout"
                ),
                {"path": str(path)},
            )
        )
    body = "".join(lines[1:-1])
    try:
        der = base64.b64decode(body, validate=True)
    except ValueError:
        der = b""
    if _RSA_OID not in der[:32]:
        raise KeyError_(
            Msg(
                N_("%(path)s is not an RSA public key, the only kind ODK encrypts to."),
                {"path": str(path)},
            )
        )
    return body


class UnmappedType(ValueError):
    """A question type with no XLSForm type (:data:`XLSFORM_TYPES`)."""


@dataclass(frozen=True)
class Workbook:
    """The three sheets, as rows (the first row of each: its column names)."""

    survey: list[list[Any]]
    choices: list[list[Any]]
    settings: list[list[Any]]

    def save(self, path: Path) -> None:
        from openpyxl import Workbook as Excel  # only this command needs it

        book = Excel()
        first = book.active
        assert first is not None
        book.remove(first)
        for name, rows in (
            ("survey", self.survey),
            ("choices", self.choices),
            ("settings", self.settings),
        ):
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
        book.save(path)


def build(questionnaire: Questionnaire, *, public_key: str | None = None) -> Workbook:
    """The questionnaire as an XLSForm; ``public_key``: an RSA public key (base64, as ODK wants
    it) to encrypt each submission to."""
    translators = [translator(locale) for locale in LOCALES]
    builder = _Builder(questionnaire, translators)
    survey = builder.survey()
    choices = builder.choices()
    digest = hashlib.sha256(
        json.dumps([survey, choices], ensure_ascii=False).encode("utf-8")
    ).hexdigest()[:8]
    version = f"{questionnaire.version}.{int(digest, 16) % 10**8:08d}"
    default = "English (en)"
    settings_header = ["form_title", "form_id", "version", "default_language", "style"]
    settings_row: list[Any] = [
        questionnaire.title,
        f"{FORM_ID}_v{questionnaire.version}",
        version,
        default,
        "pages",
    ]
    if public_key:
        settings_header.append("public_key")
        settings_row.append(public_key)
    return Workbook(survey, choices, [settings_header, settings_row])


def _column(kind: str, locale: str) -> str:
    tag, name = LANGUAGE_COLUMNS[locale]
    return f"{kind}::{name} ({tag})"


class _Builder:
    def __init__(self, questionnaire: Questionnaire, translators: Sequence[Translator]) -> None:
        self.questionnaire = questionnaire
        self.translators = translators
        self.kinds: dict[str, Kind] = {
            question.name: xpath_kind(question) for question in questionnaire.all_questions()
        }
        self.lists_used: set[str] = set()

    def _texts(self, text: str | None) -> list[str]:
        if not text:
            return ["" for _ in self.translators]
        return [tr.gettext(text) for tr in self.translators]

    # ------------------------------------------------------------ survey

    def survey(self) -> list[list[Any]]:
        header: list[Any] = ["type", "name"]
        for kind in ("label", "hint", "constraint_message"):
            header += [_column(kind, tr.locale) for tr in self.translators]
        header += ["required", "relevant", "constraint", "appearance"]
        rows = [header]
        # When the form was begun and finished, on which device and by whom: the importer
        # keeps them as the record's times and where it was collected.
        for meta, name in METADATA.items():
            rows.append(self._row(meta, name, None, None))
        for section in self.questionnaire.sections:
            rows.append(self._row("begin_group", section.name, section.title, section.help))
            for question in section.questions:
                rows += list(self._question(question))
            rows.append(self._row("end_group", "", None, None))
        return rows

    def _row(
        self,
        kind: str,
        name: str,
        label: str | None,
        hint: str | None,
        message: str | None = None,
        *,
        required: bool = False,
        relevant: str = "",
        constraint: str = "",
        appearance: str = "",
    ) -> list[Any]:
        return [
            kind,
            name,
            *self._texts(label),
            *self._texts(hint),
            *self._texts(message),
            "yes" if required else "",
            relevant,
            constraint,
            appearance,
        ]

    def _question(self, question: Question) -> Iterator[list[Any]]:
        mapped = XLSFORM_TYPES.get(question.type)
        if mapped is None:
            raise UnmappedType(f"the question type {question.type!r} has no XLSForm type")
        kind, appearance = mapped
        relevant = ""
        if question.relevant_expr is not None:
            relevant = translate(question.relevant_expr, self.kinds).relevant
        if question.type == "repeat":
            yield self._row(
                "begin_repeat", question.name, question.label, question.help, relevant=relevant
            )
            for inner in question.questions:
                yield from self._question(inner)
            yield self._row("end_repeat", "", None, None)
            return
        if "{list}" in kind:
            kind = kind.format(list=self._list_of(question))
            if question.type == "language" and question.multiple:
                kind = kind.replace("select_one", "select_multiple")
        if question.multiline and question.type == "text":
            appearance = "multiline"
        checks = []
        own = _type_check(question)
        if own:
            checks.append(own)
        if question.constraint_expr is not None:
            checks.append(
                translate(
                    question.constraint_expr, self.kinds, value_kind=xpath_kind(question)
                ).constraint
            )
        constraint = " and ".join(f"({check})" for check in checks)
        yield self._row(
            kind,
            question.name,
            question.label,
            question.help,
            question.constraint_message if question.constraint else None,
            required=question.required and question.type != "note",
            relevant=relevant,
            constraint=constraint,
            appearance=appearance,
        )

    def _list_of(self, question: Question) -> str:
        if question.type == "country":
            name = COUNTRIES
        elif question.type == "language":
            name = LANGUAGES
        else:
            assert question.choices is not None
            name = question.choices
        self.lists_used.add(name)
        return name

    # ------------------------------------------------------------ choices

    def choices(self) -> list[list[Any]]:
        header = ["list_name", "name", *(_column("label", tr.locale) for tr in self.translators)]
        rows: list[list[Any]] = [header]
        for name, options in self.questionnaire.choices.items():
            if name not in self.lists_used:
                continue
            for option in options:
                rows.append([name, option.code, *self._texts(option.label)])
        for name, options_of in ((COUNTRIES, country_options), (LANGUAGES, language_options)):
            if name not in self.lists_used:
                continue
            names = [dict(options_of(tr)) for tr in self.translators]
            english = names[[tr.locale for tr in self.translators].index("en")]
            codes = list(english) + sorted(
                {code for table in names for code in table} - set(english)
            )
            for code in codes:
                rows.append(
                    [name, code, *(table.get(code) or english.get(code) or code for table in names)]
                )
        return rows
