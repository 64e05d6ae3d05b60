"""Digits as people type them at the kiosk: a person on a Dari or Arabic keyboard types
۱۹۹۰ or ١٩٩٠, and the kiosk reads them as the digits they are, stores them as every other
answer is stored, and shows them back so in the field."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from kompass_tui.storage.database import Database
from tests.support.kiosk_pilot import (
    SIZE,
    error_of,
    field_id,
    make_app,
    next_step,
    pick_language,
    stored,
    tick,
    type_text,
)

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

#: What is typed (in ASCII here, in the keyboard's digits at the kiosk), what the field then
#: shows and what is stored.
TYPED = [
    ("birth_date", "17/5/1990", "17.05.1990", "1990-05-17"),
    ("person_id", "2019 1234 5678", "201912345678", "201912345678"),
    ("permit_date", "2013-11-02", "02.11.2013", "2013-11-02"),
    ("phone", "912 34 567", "+4791234567", "+4791234567"),
]


@pytest.mark.parametrize(
    ("locale", "digits"),
    [
        ("fa_AF", PERSIAN),
        ("ar", ARABIC_INDIC),
        ("nb", PERSIAN),
        ("uk", ARABIC_INDIC),
        ("ti", PERSIAN),
    ],
)
async def test_dates_and_numbers_typed_in_other_digits_are_saved(
    sqlite_db: Database, locale: str, digits: dict[int, int]
) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", "Farid Ahmadi")
        for path, typed, shown, _stored in TYPED:
            await type_text(pilot, path, typed.translate(digits))
            assert error_of(pilot, path) == "", path
            field = app.screen.query(field_id(path))
            if field:  # still on its page: it shows what was read
                assert field.first().query_one(Input).value == shown, path
    _record, answers = stored(sqlite_db)
    for path, _typed, _shown, saved in TYPED:
        assert answers[path] == saved, path
