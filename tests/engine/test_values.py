"""Parsing and validation of every question type, one row per case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sporreskjema import Form, translator, values
from sporreskjema.identifiers import national_id_check_digits
from sporreskjema.text import clean_text
from tests.support.helpers import ALL_TYPES, TODAY, inline, make_national_id

QS = inline(ALL_TYPES)


FNR = make_national_id(dt.date(1990, 5, 17))
DNR = make_national_id(dt.date(1985, 3, 2), d_number=True)


def wrong_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


GOOD: list[tuple[str, Any, Any]] = [
    ("text", "  Anna  ", "Anna"),
    ("text", "a\tb   c", "a b c"),
    ("text", "", None),
    ("text", "   ", None),
    ("text", "x\x1b[31my", "xy"),
    ("long_text", "line one\r\n\r\n\r\n\r\nline two", "line one\n\nline two"),
    ("integer", "0", 0),
    ("integer", " 30 ", 30),
    ("integer", 12, 12),
    ("integer", "", None),
    ("year", "2015", 2015),
    ("year", str(TODAY.year), TODAY.year),
    ("year", "1900", 1900),
    ("date", "31.12.1990", dt.date(1990, 12, 31)),
    ("date", "1990-12-31", dt.date(1990, 12, 31)),
    ("date", "1/2/2003", dt.date(2003, 2, 1)),
    ("date", "29.02.2024", dt.date(2024, 2, 29)),
    ("date", dt.date(2000, 1, 1), dt.date(2000, 1, 1)),
    ("single", "green", "green"),
    ("single", ["blue"], "blue"),
    ("multiple", ["blue", "red", "blue"], ["red", "blue"]),
    ("multiple", [], None),
    ("language", "ar", "ar"),
    ("language", "PRS", "prs"),
    ("language", "kmr", "kmr"),
    ("language", "ckb", "ckb"),
    ("language", "ti", "ti"),
    ("languages", ["uk", "ru", "uk"], ["uk", "ru"]),
    ("country", "sy", "SY"),
    ("country", "stateless", "stateless"),
    ("country", "UNKNOWN", "unknown"),
    ("email", "olena.k@example.com", "olena.k@example.com"),
    ("email", "  Olena@Example.COM ", "Olena@example.com"),  # the domain in small letters
    ("email", "ivan@пошта.укр", "ivan@пошта.укр"),
    ("email", "", None),
    # In the order chosen, not the options' order; a code chosen twice keeps its first place.
    ("ranked", ["blue", "red"], ["blue", "red"]),
    ("ranked", ["red", "blue", "red"], ["red", "blue"]),
    ("ranked", [], None),
    ("phone", "912 34 567", "+4791234567"),
    ("phone", "+46 70 123 45 67", "+46701234567"),
    ("phone", "0046 70 123 45 67", "+46701234567"),
    ("phone", "", None),
    ("duf", "2019 1234 5678", "201912345678"),
    ("duf", "199012345678", "199012345678"),
    ("national_id", FNR, FNR),
    ("national_id", f"{FNR[:6]} {FNR[6:]}", FNR),
    ("national_id", DNR, DNR),
    ("person_id", "2024-0000-0001", "202400000001"),
    ("person_id", FNR, FNR),
    ("person_id", DNR, DNR),
    ("confirm", True, True),
    ("confirm", False, None),
    ("confirm", "yes", True),
]


@pytest.mark.parametrize(("name", "raw", "expected"), GOOD)
def test_accepts(name: str, raw: Any, expected: Any) -> None:
    value, error = Form(QS, today=TODAY).check(name, raw)
    assert error is None
    assert value == expected


BAD: list[tuple[str, Any, str]] = [
    ("text", "x" * 11, "%(field)s: use at most %(n)d character."),
    ("long_text", "y" * 51, "%(field)s: use at most %(n)d character."),
    ("integer", "twelve", "%(field)s: write a whole number, for example 12."),
    ("integer", "1.5", "%(field)s: write a whole number, for example 12."),
    ("integer", "31", "%(field)s: write a number from %(min)d to %(max)d."),
    ("integer", "-1", "%(field)s: write a number from %(min)d to %(max)d."),
    ("integer", "9" * 40, "%(field)s: write a whole number, for example 12."),
    ("year", "15", "%(field)s: write the year with four digits, for example %(example)s."),
    ("year", "20x5", "%(field)s: write the year with four digits, for example %(example)s."),
    ("year", str(TODAY.year + 1), "%(field)s: the year cannot be in the future."),
    ("year", "1899", "%(field)s: write a year from %(min)d to %(max)d."),
    ("date", "31.02.1990", "%(field)s: this date does not exist."),
    ("date", "2023-02-29", "%(field)s: this date does not exist."),
    ("date", "yesterday", "%(field)s: write the date as day.month.year, for example 31.12.1990."),
    ("date", "12.1990", "%(field)s: write the date as day.month.year, for example 31.12.1990."),
    ("date", "01.01.1850", "%(field)s: the date is too long ago."),
    ("single", "purple", "%(field)s: choose one of the options."),
    ("single", ["red", "blue"], "%(field)s: choose one of the options."),
    ("multiple", ["red", "purple"], "%(field)s: choose from the options."),
    ("multiple", 7, "%(field)s: this answer has the wrong form."),
    ("language", "klingon", "%(field)s: choose a language from the list."),
    ("language", "ku", "%(field)s: choose a language from the list."),
    ("language", ["ar", "fa"], "%(field)s: choose only one."),
    ("country", "QQ", "%(field)s: choose a country from the list."),
    ("country", "EU", "%(field)s: choose a country from the list."),
    (
        "phone",
        "12",
        "%(field)s: this is not a valid phone number. Numbers outside Norway need the country code, for example +46.",
    ),
    (
        "phone",
        "hello",
        "%(field)s: this is not a valid phone number. Numbers outside Norway need the country code, for example +46.",
    ),
    ("duf", "20191234567", "%(field)s: a DUF number has 12 digits."),
    ("duf", "1234 1234 1234", "%(field)s: a DUF number starts with a year, for example 2024."),
    (
        "duf",
        f"{TODAY.year + 1}12345678",
        "%(field)s: a DUF number starts with a year, for example 2024.",
    ),
    (
        "national_id",
        "1234567890",
        "%(field)s: a Norwegian national identity number (fødselsnummer) or D-number has 11 digits.",
    ),
    (
        "national_id",
        wrong_check_digit(FNR),
        "%(field)s: this is not a valid Norwegian national identity number or D-number. Check each digit. An ID number from another country is not asked for here.",
    ),
    (
        "national_id",
        wrong_check_digit(DNR),
        "%(field)s: this is not a valid Norwegian national identity number or D-number. Check each digit. An ID number from another country is not asked for here.",
    ),
    ("national_id", "32139012345", "%(field)s: the first six digits are not a real date."),
    (
        "person_id",
        "12345",
        "%(field)s: write a DUF number (12 digits), or a Norwegian national identity number (fødselsnummer) or D-number (11 digits). An ID number from another country is not asked for here.",
    ),
    (
        "person_id",
        wrong_check_digit(FNR),
        "%(field)s: this is not a valid Norwegian national identity number or D-number. Check each digit. An ID number from another country is not asked for here.",
    ),
    ("person_id", "000012345678", "%(field)s: a DUF number starts with a year, for example 2024."),
    ("confirm", "maybe", "%(field)s: tick the box to confirm."),
    *(
        (
            "email",
            raw,
            "%(field)s: this is not a valid e-mail address. Write it as name@example.com.",
        )
        for raw in [
            "olena",
            "olena@",
            "@example.com",
            "olena@example",
            "olena k@example.com",
            "olena@@example.com",
            "o" * 250 + "@example.com",
        ]
    ),
    ("ranked", ["red", "purple"], "%(field)s: choose from the options."),
]


@pytest.mark.parametrize(("name", "raw", "msgid"), BAD)
def test_refuses_with_a_message_naming_the_field(name: str, raw: Any, msgid: str) -> None:
    form = Form(QS, today=TODAY)
    value, error = form.check(name, raw)
    assert value is None
    assert error is not None
    assert error.msgid == msgid
    label = QS.question(name).label
    assert error.render(translator("en")).startswith(label + ":")
    # and nothing was stored
    assert form.set(name, raw) is not None
    assert form.get(name) is None


def test_every_type_has_good_and_bad_rows() -> None:
    answerable = {q.name for q in QS.all_questions() if q.holds_value}
    assert {row[0] for row in GOOD} >= answerable - {"item"}
    assert {row[0] for row in BAD} >= answerable - {"item", "languages"}


def test_an_invalid_answer_keeps_the_previous_one() -> None:
    form = Form(QS, today=TODAY)
    assert form.set("date", "01.02.2000") is None
    assert form.set("date", "31.02.2000") is not None
    assert form.get("date") == dt.date(2000, 2, 1)


def test_clean_text_neutralises_terminal_sequences() -> None:
    # OSC title, CSI clear screen, 8-bit CSI, bidi override, NUL, BEL, and a DCS string
    hostile = "A\x1b]0;owned\x07B\x1b[2JC\x9b31mD\u202eE\x00F\x07G\x1bPpayload\x1b\\H"
    assert clean_text(hostile) == "ABCDEFGH"
    assert "\x1b" not in clean_text("\x1b" * 5 + "[" * 5)


@given(st.text())
def test_clean_text_never_leaves_controls(raw: str) -> None:
    cleaned = clean_text(raw, multiline=True)
    assert not any(
        (ord(c) < 32 and c != "\n")
        or 0x7F <= ord(c) <= 0x9F
        or 0x202A <= ord(c) <= 0x202E
        or 0x2066 <= ord(c) <= 0x2069
        for c in cleaned
    )
    assert cleaned == cleaned.strip()
    assert clean_text(cleaned, multiline=True) == cleaned


@given(
    # spaces, letters and combining marks (NFC) often, any other character too
    st.lists(st.sampled_from([" ", "a", "\u0301", "\u00e9", "\u0627", "\u1208"]) | st.characters())
    .map("".join)
    .filter(str.isprintable),
    st.booleans(),
)
@example("a  b", False)
@example("e\u0301", True)
def test_clean_text_of_printable_text_is_what_the_full_cleaning_gives(
    raw: str, multiline: bool
) -> None:
    # A leading tab is unprintable, so that text goes the whole way; the tab becomes a space
    # and is trimmed.
    assert clean_text(raw, multiline=multiline) == clean_text("\t" + raw, multiline=multiline)


@given(st.text())
def test_ascii_digits_leaves_ascii_as_it_is_and_reads_others(raw: str) -> None:
    digits = values.ascii_digits(raw)
    assert digits == raw if raw.isascii() else digits == values.ascii_digits("\u200e" + raw)
    assert all(not c.isdecimal() or c.isascii() for c in digits)


TEXT_TYPES = ["text", "integer", "year", "date", "phone", "duf", "national_id", "person_id",
              "single", "language", "country", "confirm"]  # fmt: skip


@given(name=st.sampled_from(TEXT_TYPES), raw=st.text(max_size=40))
def test_any_text_is_a_value_or_a_message(name: str, raw: str) -> None:
    value, error = Form(QS, today=TODAY).check(name, raw)
    if error is None:
        # a value that was accepted is accepted again unchanged (parsing is idempotent)
        again, error_again = Form(QS, today=TODAY).check(name, value if value is not None else "")
        assert error_again is None
        assert again == value or (name == "confirm" and value is None)
    else:
        assert value is None
        assert error.render(translator("nb"))


@given(born=st.dates(dt.date(1900, 1, 1), dt.date(2039, 12, 31)), d_number=st.booleans(),
       start=st.integers(0, 400))  # fmt: skip
@example(born=dt.date(2000, 2, 29), d_number=False, start=0)  # a leap day of the 2000s
def test_generated_national_ids_pass_and_any_single_digit_change_fails(
    born: dt.date, d_number: bool, start: int
) -> None:
    try:
        number = make_national_id(born, d_number=d_number, start=start)
    except AssertionError:
        return
    form = Form(QS, today=TODAY)
    assert form.check("national_id", number) == (number, None)
    for position in range(11):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            changed = number[:position] + digit + number[position + 1 :]
            _value, error = form.check("national_id", changed)
            if error is None:  # a change may land on another valid number, never on a wrong one
                assert national_id_check_digits(changed[:9]) == changed[9:]


@given(st.from_regex(r"\+?[0-9 ]{0,20}", fullmatch=True))
def test_phone_numbers_are_stored_in_e164_or_refused(raw: str) -> None:
    value, error = Form(QS, today=TODAY).check("phone", raw)
    if error is None and value is not None:
        assert value.startswith("+")
        assert value[1:].isdigit()


# ---------------------------------------------------------------- digits as people type them

#: Digits as a person types them on a Dari/Persian or an Arabic keyboard.
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

TYPED_IN_OTHER_DIGITS: list[tuple[str, str, Any]] = [
    ("integer", "12", 12),
    ("year", "2013", 2013),
    ("year", "1990", 1990),
    ("date", "17.05.1990", dt.date(1990, 5, 17)),
    ("date", "17/5/1990", dt.date(1990, 5, 17)),
    ("date", "1990-05-17", dt.date(1990, 5, 17)),
    ("phone", "912 34 567", "+4791234567"),
    ("phone", "0046 70 123 45 67", "+46701234567"),
    ("duf", "2019 1234 5678", "201912345678"),
    ("national_id", FNR, FNR),
    ("person_id", "2024-0000-0001", "202400000001"),
    ("person_id", f"{FNR[:6]} {FNR[6:]}", FNR),
]


@pytest.mark.parametrize("digits", [PERSIAN, ARABIC_INDIC], ids=["persian", "arabic-indic"])
@pytest.mark.parametrize(("name", "typed", "expected"), TYPED_IN_OTHER_DIGITS)
def test_persian_and_arabic_indic_digits_are_read_as_digits(
    digits: dict[int, int], name: str, typed: str, expected: Any
) -> None:
    value, error = Form(QS, today=TODAY).check(name, typed.translate(digits))
    assert error is None, error.msgid
    assert value == expected  # stored as ASCII digits and ints, as if typed so


@pytest.mark.parametrize(
    ("name", "typed", "expected"),
    [
        ("date", "١٧٫٠٥٫١٩٩٠", dt.date(1990, 5, 17)),  # the Arabic decimal separator
        ("date", "١٧٬٠٥٬١٩٩٠", dt.date(1990, 5, 17)),  # the Arabic thousands separator
        ("date", "١٧؍٠٥؍١٩٩٠", dt.date(1990, 5, 17)),  # the Arabic date separator
        ("date", "۱۹۹۰/۰۵/۱۷", dt.date(1990, 5, 17)),  # year first, as Dari dates are written
        ("date", "\u200f١٧/٠٥/١٩٩٠\u200f", dt.date(1990, 5, 17)),  # right-to-left marks
        ("date", "１７．０５．１９９０", dt.date(1990, 5, 17)),  # full-width
        ("year", "२०१३", 2013),  # Devanagari
        ("year", "２０１３", 2013),  # full-width
        ("integer", "−۳", None),  # a minus sign: refused by the range, not the form
        ("phone", "+٤٧ ٩١٢ ٣٤ ٥٦٧", "+4791234567"),
    ],
)
def test_separators_typed_on_other_keyboards_are_read(name: str, typed: str, expected: Any) -> None:
    value, error = Form(QS, today=TODAY).check(name, typed)
    if expected is None:
        assert error is not None
        assert error.msgid == "%(field)s: write a number from %(min)d to %(max)d."
    else:
        assert error is None, error.msgid
        assert value == expected


@pytest.mark.parametrize(
    ("name", "typed", "msgid"),
    [
        ("year", "۱۵", "%(field)s: write the year with four digits, for example %(example)s."),
        ("year", "²⁰¹³", "%(field)s: write the year with four digits, for example %(example)s."),
        ("year", "٢٠٣٠", "%(field)s: the year cannot be in the future."),
        ("date", "۳۱.۰۲.۱۹۹۰", "%(field)s: this date does not exist."),
        ("duf", "۲۰۱۹۱۲۳۴۵۶۷", "%(field)s: a DUF number has 12 digits."),
        ("integer", "۱٫۵", "%(field)s: write a whole number, for example 12."),
    ],
)
def test_other_digits_get_the_same_messages(name: str, typed: str, msgid: str) -> None:
    value, error = Form(QS, today=TODAY).check(name, typed)
    assert value is None
    assert error is not None
    assert error.msgid == msgid
