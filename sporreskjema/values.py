"""Parsing, validating, encoding and showing the value of each question type.

``parse`` turns what a person typed or chose into the stored value, or raises
:class:`Invalid` with a translatable message naming the field. Values are codes
and plain data: ``str``, ``int``, ``bool``, ``datetime.date`` and lists of codes;
``encode``/``decode`` map them to JSON and back.

The functions of each type are here; which type uses which is said once, in the registry
(:mod:`sporreskjema.types`), that ``parse``, ``encode``, ``decode`` and ``display`` read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import phonenumbers
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from . import bounds, calendars, cldr
from .i18n import N_, Msg, Nn_, Translator
from .identifiers import birth_date_of_national_id, digits_only, is_duf_number, is_national_id
from .text import clean_text

if TYPE_CHECKING:
    from .definition import Question, Questionnaire

EARLIEST_YEAR = bounds.EARLIEST_DATE.year


class Invalid(ValueError):
    def __init__(self, message: Msg) -> None:
        super().__init__(message.msgid)
        self.message = message


def _invalid(question: Question, msgid: str, **params: Any) -> Invalid:
    return Invalid(Msg(msgid, {"field": question.label_msg(), **params}))


#: Examples shown in an empty field (the registry's ``placeholder``).
#: A date or year field's hint (calendar_hint): the example is one of the calendar chosen.
DATE_PLACEHOLDER = N_("day.month.year, for example %(example)s")
#: A date's hint in a calendar whose papers write the year first (solar Hijri, Ethiopian).
YEAR_FIRST_PLACEHOLDER = N_("year-month-day, for example %(example)s")
YEAR_PLACEHOLDER = N_("for example %(example)s")
PHONE_PLACEHOLDER = N_("for example +47 912 34 567")
EMAIL_PLACEHOLDER = N_("for example name@example.com")
#: The longest e-mail address there can be (RFC 3696 with its erratum).
EMAIL_LENGTH = 254
#: A box to tick that is not ticked (the registry's ``missing`` for ``confirm``).
TICK_THE_BOX = N_("%(field)s: tick the box to confirm.")


# ------------------------------------------------------------------ one parser per type


def _as_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    raise TypeError(f"expected text, got {type(raw).__name__}")


#: What keyboards for other scripts put between digits, as the ASCII a parser reads: the
#: Arabic decimal, thousands and date separators, the Arabic comma, full-width punctuation,
#: hyphens and the minus sign. Right-to-left marks that such keyboards add are dropped.
_NUMBER_PUNCTUATION = str.maketrans(
    {
        "\u066b": ".", "\u066c": ",", "\u060d": "/", "\u060c": ",",
        "\uff0e": ".", "\uff0f": "/", "\uff0c": ",", "\uff0d": "-", "\uff0b": "+",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-",
        "\u200e": None, "\u200f": None, "\u061c": None,
    }
)  # fmt: skip


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit in ASCII, whatever script it was typed in (Persian
    ۲۰۱۳, Arabic-Indic ٢٠١٣, Devanagari, full-width …), and the separators typed between
    digits on those keyboards in ASCII too, so one parser reads them all."""
    if text.isascii():
        return text  # nothing to change: what is changed is not ASCII
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
        for char in text
    ).translate(_NUMBER_PUNCTUATION)


def _as_number_text(raw: Any) -> str:
    """What was typed for a number, a year, a date, a phone number or an identifier, with its
    digits and separators in ASCII."""
    return ascii_digits(_as_text(raw))


def parse_text(q: Question, raw: Any, _qs: Questionnaire, _today: dt.date) -> str | None:
    text = clean_text(_as_text(raw), multiline=q.multiline)
    if not text:
        return None
    if len(text) > q.max_length:
        raise Invalid(
            Msg.plural(
                Nn_(
                    "%(field)s: use at most %(n)d character.",
                    "%(field)s: use at most %(n)d characters.",
                ),
                q.max_length,
                field=q.label_msg(),
            )
        )
    return text


def parse_integer(q: Question, raw: Any, _qs: Questionnaire, _today: dt.date) -> int | None:
    text = _as_number_text(raw).strip()
    if not text:
        return None
    if not re.fullmatch(r"-?[0-9]{1,9}", text):
        raise _invalid(q, N_("%(field)s: write a whole number, for example 12."))
    value = int(text)
    low = q.min if q.min is not None else -(10**9)
    high = q.max if q.max is not None else 10**9
    if not low <= value <= high:
        raise _invalid(
            q, N_("%(field)s: write a number from %(min)d to %(max)d."), min=low, max=high
        )
    return value


def _calendar_of(raw: Any) -> tuple[calendars.Calendar, Any]:
    """The calendar a date or year was typed in, and what was typed."""
    if isinstance(raw, calendars.Typed):
        return raw.calendar, raw.text
    return calendars.Calendar.gregorian, raw


def _calendar_name(calendar: calendars.Calendar) -> Msg:
    return Msg(calendars.NAMES[calendar])


def parse_year(q: Question, raw: Any, _qs: Questionnaire, today: dt.date) -> int | None:
    calendar, raw = _calendar_of(raw)
    text = _as_number_text(raw).strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{4}", text):
        raise _invalid(
            q,
            N_("%(field)s: write the year with four digits, for example %(example)s."),
            example=calendars.example(calendar, year=True),
        )
    value = int(text)
    if calendar is not calendars.Calendar.gregorian:
        try:
            value = calendars.main_gregorian_year(calendar, value)
        except ValueError:
            raise _invalid(
                q,
                N_("%(field)s: this year cannot be used in the calendar you chose: %(calendar)s."),
                calendar=_calendar_name(calendar),
            ) from None
    if value > today.year:
        raise _invalid(q, N_("%(field)s: the year cannot be in the future."))
    low = max(EARLIEST_YEAR, q.min if q.min is not None else EARLIEST_YEAR)
    high = min(today.year, q.max if q.max is not None else today.year)
    if not low <= value <= high:
        raise _invalid(q, N_("%(field)s: write a year from %(min)d to %(max)d."), min=low, max=high)
    return value


#: Year first (1990-05-17, and 1990/05/17 as Dari dates are written) or day first, the
#: parts apart by any of the separators people type.
_DATE_YMD = re.compile(r"([0-9]{4})[./,\-]([0-9]{1,2})[./,\-]([0-9]{1,2})")
_DATE_DMY = re.compile(r"([0-9]{1,2})[./,\-]([0-9]{1,2})[./,\-]([0-9]{4})")


def _date_parts(q: Question, raw: Any, calendar: calendars.Calendar) -> tuple[int, int, int] | None:
    """Year, month and day as typed (year first or day first), ``None`` for nothing typed."""
    text = _as_number_text(raw).strip().replace(" ", "")
    if not text:
        return None
    if match := _DATE_YMD.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DATE_DMY.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif calendar is calendars.Calendar.gregorian:
        raise _invalid(
            q, N_("%(field)s: write the date as day.month.year, for example 31.12.1990.")
        )
    else:
        raise _invalid(
            q,
            N_(
                "%(field)s: write the date as year-month-day, as in your papers, for example %(example)s."
            ),
            example=calendars.example(calendar),
        )
    return year, month, day


def calendar_hint(calendar: calendars.Calendar, *, year: bool = False) -> Msg:
    """What a date (or year) field says before anything is typed: how to write one of
    ``calendar``, with an example of it."""
    if year:
        msgid = YEAR_PLACEHOLDER
    elif calendar is calendars.Calendar.gregorian:
        msgid = DATE_PLACEHOLDER
    else:
        msgid = YEAR_FIRST_PLACEHOLDER
    return Msg(msgid, {"example": calendars.example(calendar, year=year)})


def written_of(q: Question, raw: Any, value: Any) -> calendars.Written | None:
    """A date or year typed in a calendar other than the Gregorian, as it is kept beside the
    stored Gregorian ``value`` the parser made of ``raw``; ``None`` for a Gregorian one."""
    if not isinstance(raw, calendars.Typed) or raw.calendar is calendars.Calendar.gregorian:
        return None
    if value is None or not q.kind.calendar:
        return None
    if isinstance(value, dt.date):
        parts = _date_parts(q, raw.text, raw.calendar)
        return None if parts is None else calendars.Written(raw.calendar, *parts)
    return calendars.Written(raw.calendar, int(_as_number_text(raw.text).strip()))


def parse_date(q: Question, raw: Any, _qs: Questionnaire, _today: dt.date) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return raw
    calendar, raw = _calendar_of(raw)
    parts = _date_parts(q, raw, calendar)
    if parts is None:
        return None
    try:
        value = calendars.to_gregorian(calendar, *parts)
    except ValueError:
        if calendar is calendars.Calendar.gregorian:
            raise _invalid(q, N_("%(field)s: this date does not exist.")) from None
        raise _invalid(
            q,
            N_("%(field)s: this date does not exist in the calendar you chose: %(calendar)s."),
            calendar=_calendar_name(calendar),
        ) from None
    if value.year < EARLIEST_YEAR:
        raise _invalid(q, N_("%(field)s: the date is too long ago."))
    return value


def _codes(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw] if raw.strip() else []
    if isinstance(raw, list | tuple | set | frozenset):
        if not all(isinstance(c, str) for c in raw):
            raise TypeError("codes must be strings")
        return [c for c in raw if c.strip()]
    raise TypeError(f"expected a code or codes, got {type(raw).__name__}")


def parse_single(q: Question, raw: Any, qs: Questionnaire, _today: dt.date) -> str | None:
    codes = _codes(raw)
    if not codes:
        return None
    if len(codes) > 1 or qs.choice(q.choices or "", codes[0].strip()) is None:
        raise _invalid(q, N_("%(field)s: choose one of the options."))
    return codes[0].strip()


def parse_ranked(q: Question, raw: Any, qs: Questionnaire, _today: dt.date) -> list[str] | None:
    """Codes in the person's order of priority, the first the most important: kept in the
    order chosen (a code chosen twice counts at its first place)."""
    chosen: list[str] = []
    for code in (c.strip() for c in _codes(raw)):
        if code not in chosen:
            chosen.append(code)
    if not chosen:
        return None
    known = {c.code for c in qs.choice_list(q.choices or "")}
    if not set(chosen) <= known:
        raise _invalid(q, N_("%(field)s: choose from the options."))
    return chosen


def parse_multiple(q: Question, raw: Any, qs: Questionnaire, _today: dt.date) -> list[str] | None:
    chosen = {c.strip() for c in _codes(raw)}
    if not chosen:
        return None
    order = [c.code for c in qs.choice_list(q.choices or "")]
    if not chosen <= set(order):
        raise _invalid(q, N_("%(field)s: choose from the options."))
    return [code for code in order if code in chosen]


def _pick_codes(
    q: Question, raw: Any, known: frozenset[str], normalise: Callable[[str], str], msgid: str
) -> str | list[str] | None:
    picked: list[str] = []
    for code in _codes(raw):
        code = normalise(code.strip())
        if code not in known:
            raise _invalid(q, msgid)
        if code not in picked:
            picked.append(code)
    if not picked:
        return None
    if not q.multiple:
        if len(picked) > 1:
            raise _invalid(q, N_("%(field)s: choose only one."))
        return picked[0]
    return picked


def parse_language(
    q: Question, raw: Any, _qs: Questionnaire, _today: dt.date
) -> str | list[str] | None:
    return _pick_codes(
        q, raw, cldr.language_codes(), str.lower,
        N_("%(field)s: choose a language from the list."),
    )  # fmt: skip


def _country_code(code: str) -> str:
    return code.lower() if code.lower() in (cldr.STATELESS, cldr.UNKNOWN_COUNTRY) else code.upper()


def parse_country(
    q: Question, raw: Any, _qs: Questionnaire, _today: dt.date
) -> str | list[str] | None:
    return _pick_codes(
        q, raw, cldr.country_codes(), _country_code,
        N_("%(field)s: choose a country from the list."),
    )  # fmt: skip


def parse_phone(q: Question, raw: Any, _qs: Questionnaire, _today: dt.date) -> str | None:
    text = clean_text(_as_number_text(raw))
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "NO")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise _invalid(
            q,
            N_(
                "%(field)s: this is not a valid phone number. Numbers outside Norway need the country code, for example +46."
            ),
        )
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def parse_email(q: Question, raw: Any, _qs: Questionnaire, _today: dt.date) -> str | None:
    """An e-mail address, its syntax only (the kiosk is offline: no look-up of the domain),
    as the library normalises it (the domain in small letters)."""
    from email_validator import EmailNotValidError, validate_email

    text = clean_text(_as_text(raw)).strip()
    if not text:
        return None
    if len(text) <= EMAIL_LENGTH:
        try:
            address = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            address = None
        if address is not None and len(address) <= EMAIL_LENGTH:
            return str(address)
    # Never the library's own (English) reason: one message in the person's language.
    raise _invalid(
        q,
        N_("%(field)s: this is not a valid e-mail address. Write it as name@example.com."),
    )


def _duf_value(q: Question, digits: str, today: dt.date) -> str:
    if not re.fullmatch(r"[0-9]{12}", digits):
        raise _invalid(q, N_("%(field)s: a DUF number has 12 digits."))
    if not is_duf_number(digits, today):
        raise _invalid(q, N_("%(field)s: a DUF number starts with a year, for example 2024."))
    return digits


def _national_id_value(q: Question, digits: str) -> str:
    if not re.fullmatch(r"[0-9]{11}", digits):
        raise _invalid(
            q,
            N_(
                "%(field)s: a Norwegian national identity number (fødselsnummer) or D-number "
                "has 11 digits."
            ),
        )
    if birth_date_of_national_id(digits) is None:
        raise _invalid(q, N_("%(field)s: the first six digits are not a real date."))
    if not is_national_id(digits):
        raise _invalid(
            q,
            N_(
                "%(field)s: this is not a valid Norwegian national identity number or D-number. "
                "Check each digit. An ID number from another country is not asked for here."
            ),
        )
    return digits


def parse_duf(q: Question, raw: Any, _qs: Questionnaire, today: dt.date) -> str | None:
    digits = digits_only(clean_text(_as_number_text(raw)))
    return _duf_value(q, digits, today) if digits else None


def parse_national_id(q: Question, raw: Any, _qs: Questionnaire, _today: dt.date) -> str | None:
    digits = digits_only(clean_text(_as_number_text(raw)))
    return _national_id_value(q, digits) if digits else None


def parse_person_id(q: Question, raw: Any, _qs: Questionnaire, today: dt.date) -> str | None:
    digits = digits_only(clean_text(_as_number_text(raw)))
    if not digits:
        return None
    if len(digits) == 12:
        return _duf_value(q, digits, today)
    if len(digits) == 11:
        return _national_id_value(q, digits)
    raise _invalid(
        q,
        N_(
            "%(field)s: write a DUF number (12 digits), or a Norwegian national identity number "
            "(fødselsnummer) or D-number (11 digits). An ID number from another country is not "
            "asked for here."
        ),
    )


def parse_confirm(q: Question, raw: Any, _qs: Questionnaire, _today: dt.date) -> bool | None:
    if raw is True:
        return True
    if raw in (False, None, ""):
        return None
    if isinstance(raw, str) and raw.strip().lower() in {"true", "yes", "1"}:
        return True
    raise _invalid(q, TICK_THE_BOX)


def parse(question: Question, raw: Any, questionnaire: Questionnaire, today: dt.date) -> Any:
    """The stored value for ``raw``, ``None`` for no answer; raises :class:`Invalid`."""
    if raw is None:
        return None
    parser = question.kind.parse
    if parser is None:
        raise TypeError(f"a {question.type} question holds no answer")
    try:
        return parser(question, raw, questionnaire, today)
    except TypeError:
        raise _invalid(question, N_("%(field)s: this answer has the wrong form.")) from None


# ------------------------------------------------------------------ JSON


def encode(question: Question, value: Any) -> Any:
    """A JSON-ready form of a stored value (dates as ISO 8601)."""
    return question.kind.encode(value)


def decode(question: Question, data: Any) -> Any:
    if data is None:
        return None
    return question.kind.decode(data)


def json_ready(value: Any) -> Any:
    """A parsed value as JSON: a date as ISO 8601, the rest as it is."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def decode_date(data: Any) -> dt.date:
    return dt.date.fromisoformat(str(data))


# ------------------------------------------------------------------ display


def display(question: Question, value: Any, questionnaire: Questionnaire, tr: Translator) -> str:
    """A value shown to a person, in ``tr``'s language (codes become names)."""
    if value is None:
        return ""
    return question.kind.display(question, value, questionnaire, tr)


def _codes_of(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def display_plain(_q: Question, value: Any, _qs: Questionnaire, _tr: Translator) -> str:
    return str(value)


def display_choices(q: Question, value: Any, qs: Questionnaire, tr: Translator) -> str:
    labels = []
    for code in _codes_of(value):
        choice = qs.choice(q.choices or "", code)
        labels.append(tr.gettext(choice.label) if choice else code)
    return format_list(labels, locale=tr.cldr)


def display_ranked(q: Question, value: Any, qs: Questionnaire, tr: Translator) -> str:
    """Codes in order of priority: "1. Learn Norwegian, 2. Work"."""
    ranked = []
    for place, code in enumerate(_codes_of(value), start=1):
        choice = qs.choice(q.choices or "", code)
        label = tr.gettext(choice.label) if choice else str(code)
        ranked.append(f"{format_decimal(place, locale=tr.cldr)}. {label}")
    return format_list(ranked, locale=tr.cldr)


def display_languages(_q: Question, value: Any, _qs: Questionnaire, tr: Translator) -> str:
    return format_list([cldr.language_name(c, tr) for c in _codes_of(value)], locale=tr.cldr)


def display_countries(_q: Question, value: Any, _qs: Questionnaire, tr: Translator) -> str:
    return format_list([cldr.country_name(c, tr) for c in _codes_of(value)], locale=tr.cldr)


def display_date(_q: Question, value: Any, _qs: Questionnaire, tr: Translator) -> str:
    if isinstance(value, dt.date):
        return format_date(value, format="long", locale=tr.cldr)
    return str(value)


def display_written(written: calendars.Written, tr: Translator) -> str:
    """A date or year as the person wrote it, with its calendar: "as written: 1369-10-30,
    Solar Hijri …" (shown beside the Gregorian value)."""
    return Msg(
        N_("as written: %(typed)s, %(calendar)s"),
        {"typed": written.typed(), "calendar": _calendar_name(written.calendar)},
    ).render(tr)


def format_day(value: dt.date, tr: Translator) -> str:
    """A day in ``tr``'s language, as dates are shown to a person."""
    return format_date(value, format="long", locale=tr.cldr)


def display_confirm(_q: Question, value: Any, _qs: Questionnaire, tr: Translator) -> str:
    return tr.gettext("Yes") if value else ""


def display_phone(_q: Question, value: Any, _qs: Questionnaire, _tr: Translator) -> str:
    try:
        number = phonenumbers.parse(str(value), None)
    except phonenumbers.NumberParseException:
        return str(value)  # not stored by this engine; shown as it is
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def display_integer(_q: Question, value: Any, _qs: Questionnaire, tr: Translator) -> str:
    if isinstance(value, int):
        return format_decimal(value, locale=tr.cldr)
    return str(value)
