"""The language and country pickers of the real kiosk, searched the way a caseworker beside
the person does: English or Norwegian names typed in Latin letters into a picker that shows
Tigrinya, Dari, Arabic or Ukrainian."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from kompass_tui.storage.database import Database
from tests.support.kiosk_pilot import (
    SIZE,
    field_id,
    make_app,
    pick,
    pick_language,
    reach,
    stored,
    tick,
)


@pytest.mark.parametrize(
    ("locale", "country", "country_code", "language", "language_code"),
    [
        ("nb", "Eritrea", "ER", "Tigrinya", "ti"),
        ("uk", "Eritrea", "ER", "Tigri", "ti"),
        ("ar", "Afghanistan", "AF", "pashto", "ps"),
        ("ti", "Eritrea", "ER", "Tigri", "ti"),
        ("fa_AF", "Afghanistan", "AF", "dari", "prs"),
    ],
)
async def test_latin_names_are_found_in_every_locale(
    sqlite_db: Database,
    locale: str,
    country: str,
    country_code: str,
    language: str,
    language_code: str,
) -> None:
    """The common languages open the unfiltered list; a name typed in English finds the
    country and the language, and Enter stores their codes."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await tick(pilot, "acknowledged")
        # Straight to the pickers: typing the person's other answers is tested elsewhere
        # (tests/ui/test_kiosk_pilot.py) and is no part of the search.
        app.go_to(1, start_at="citizenship")
        await pilot.pause()
        await pick(pilot, "citizenship", country)
        app.go_to(2)
        await pilot.pause()
        options = (await reach(pilot, "mother_tongues")).query_one(OptionList)
        unfiltered = [options.get_option_at_index(i).id for i in range(3)]
        assert unfiltered == ["uk", "ar", "ti"]  # not Chickasaw, Kenyang and Laz
        await pick(pilot, "mother_tongues", language)
        await pilot.pause()
        shown = app.screen.query_one(field_id("mother_tongues")).query_one(OptionList)
        first = str(shown.get_option_at_index(0).prompt)
        assert first.startswith("✓"), first
    _record, answers = stored(sqlite_db)
    assert answers["citizenship"] == country_code
    assert answers["mother_tongues"] == [language_code]
