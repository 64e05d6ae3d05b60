"""Norwegian person identifiers: DUF numbers, national identity numbers and D-numbers.

A DUF number is the 12-digit number the immigration authorities give a person;
its first four digits are the year it was issued. A national identity number
(fødselsnummer) or D-number has 11 digits: a date of birth (the D-number adds 4
to the day's first digit), a three-digit individual number and two mod-11
check digits.
"""

from __future__ import annotations

import datetime as dt
import re

_SEPARATORS = re.compile(r"[\s.\-]")
#: The weights of a national identity number's two mod-11 check digits (the XLSForm writes
#: the same check as XPath).
K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
#: The DUF register has existed since the 1990s; nothing older is plausible.
FIRST_DUF_YEAR = 1990


def digits_only(raw: str) -> str:
    """Drop the spaces, dots and hyphens people type between groups of digits."""
    return _SEPARATORS.sub("", raw)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


def national_id_check_digits(first_nine: str) -> str | None:
    """The two check digits for nine digits, or None when no valid number exists."""
    k1 = _check_digit(first_nine, K1_WEIGHTS)
    if k1 is None:
        return None
    k2 = _check_digit(first_nine + str(k1), K2_WEIGHTS)
    if k2 is None:
        return None
    return f"{k1}{k2}"


def birth_date_of_national_id(number: str) -> dt.date | None:
    """The date of birth a national identity number or D-number encodes, if it is real."""
    day, month, yy = int(number[0:2]), int(number[2:4]), int(number[4:6])
    individual = int(number[6:9])
    if day > 40:  # D-number
        day -= 40
    if 500 <= individual <= 749 and yy >= 54:
        century = 1800
    elif 500 <= individual <= 999 and yy < 40:
        century = 2000
    elif 900 <= individual <= 999 and yy >= 40:
        century = 1900
    else:
        century = 1900
    try:
        return dt.date(century + yy, month, day)
    except ValueError:
        return None


def is_national_id(number: str) -> bool:
    """True for 11 digits with a real date and valid mod-11 check digits."""
    if len(number) != 11 or not number.isdigit():
        return False
    if birth_date_of_national_id(number) is None:
        return False
    return national_id_check_digits(number[:9]) == number[9:]


def is_duf_number(number: str, today: dt.date) -> bool:
    """True for 12 digits whose first four are a year from 1990 to this year."""
    if len(number) != 12 or not number.isdigit():
        return False
    return FIRST_DUF_YEAR <= int(number[:4]) <= today.year
