"""kompass-v2's new questions answered through the real kiosk, key by key, in the four scripts
(nb, uk, ar, ti): the e-mail (a wrong one refused with a message in the person's language), the
hours of Norwegian lessons, school and higher-education years apart, the goals in the person's
order, and an age outside the programme's group (a message, the registration goes on, the record
is flagged for staff)."""

from __future__ import annotations

import pytest

from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Status
from kompass_tui.wizard.screens.receipt import ReceiptScreen
from kompass_tui.wizard.screens.section import SectionScreen
from sporreskjema import load_builtin
from sporreskjema.i18n import translator
from tests.support.kiosk_pilot import (
    SIZE,
    add_entry,
    choose,
    choose_many,
    error_of,
    field_id,
    finish_entry,
    make_app,
    next_step,
    pick,
    pick_language,
    press_button,
    reach,
    stored,
    tick,
    type_text,
)

#: Ukrainian is typed through every new question by the whole registration in
#: tests/ui/test_kiosk_two_registrations.py (as Tigrinya is, but not its refusals' messages).
LOCALES = ["nb", "ar", "ti"]
#: The hours as a person types them: in Arabic, with the Arabic-Indic digits.
HOURS = {"ar": "١٢٠"}


def message(locale: str, msgid: str, label: str) -> str:
    """An engine message as the person reads it: in their language, naming the field."""
    tr = translator(locale)
    return tr.gettext(msgid) % {"field": tr.gettext(label)}


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_new_questions_through_the_kiosk(sqlite_db: Database, locale: str) -> None:
    kompass = load_builtin()
    tr = translator(locale)
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", "Dawit Haile")
        # 16 at the permit date: outside the programme's group of 18 to 55, not refused.
        await type_text(pilot, "birth_date", "01.01.2010")
        await type_text(pilot, "person_id", "2024 1234 5678")
        assert not app.screen.query(field_id("age_outside_group"))  # no permit date yet
        await type_text(pilot, "permit_date", "10.11.2026")
        note = await reach(pilot, "age_outside_group")
        shown = str(note.query_one(".question-heading").render())
        help_text = kompass.question("age_outside_group").help or ""
        assert tr.gettext(help_text) in shown.replace("\n", " ")
        await pick(pilot, "citizenship", "ER")
        await type_text(pilot, "residence", "Mottak Nord")
        await type_text(pilot, "email", "dawit.haile@")
        assert error_of(pilot, "email") == message(
            locale,
            "%(field)s: this is not a valid e-mail address. Write it as name@example.com.",
            "E-mail address",
        )
        await type_text(pilot, "email", "Dawit.Haile@Example.COM")
        assert error_of(pilot, "email") == ""
        await next_step(pilot)  # the age does not hold the person back
        assert isinstance(app.screen, SectionScreen)
        assert app.screen.index == 2

        await pick(pilot, "mother_tongues", "ti")
        await choose(pilot, "mother_tongue_literacy", "yes")
        await choose(pilot, "latin_literacy", "no")
        await choose(pilot, "has_other_languages", "no")
        await choose(pilot, "norwegian_level", "a_little")
        await type_text(pilot, "norwegian_course_hours", "6000")
        assert error_of(pilot, "norwegian_course_hours") != ""
        await type_text(pilot, "norwegian_course_hours", HOURS.get(locale, "120"))
        assert error_of(pilot, "norwegian_course_hours") == ""
        await type_text(pilot, "norwegian_course_names", "Asmara, Alliance")
        await next_step(pilot)

        await type_text(pilot, "years_school", "12")
        await type_text(pilot, "years_higher_education", "5")  # 17 years of schooling at 16
        too_many = kompass.question("years_higher_education").constraint_message or ""
        assert error_of(pilot, "years_higher_education") == tr.gettext(too_many)
        await type_text(pilot, "years_higher_education", "2")
        assert error_of(pilot, "years_higher_education") == ""
        await add_entry(pilot, "educations")
        await choose(pilot, "educations[0].level", "none")
        await finish_entry(pilot)
        await next_step(pilot)
        await choose(pilot, "has_work_experience", "no")
        await next_step(pilot)
        await choose(pilot, "has_driving_licence", "no")
        for skill in ("smartphone", "email", "forms", "text", "spreadsheets"):
            await choose(pilot, f"digital_{skill}", "can")
        await choose(pilot, "has_courses", "no")
        await next_step(pilot)
        # Not the list's order (work, education, norwegian, other): the person's.
        await choose_many(pilot, "short_term_goals", ["norwegian", "education", "work"])
        await type_text(pilot, "long_term_goal", "Sykepleier")
        await reach(pilot, "confirmed")
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")
        assert isinstance(app.screen, ReceiptScreen), error_of(pilot, "confirmed")
    record, answers = stored(sqlite_db)
    assert record.status == Status.submitted
    assert (record.questionnaire_id, record.questionnaire_version) == ("kompass", "2")
    assert record.needs_follow_up  # staff see the age in the review
    assert answers["email"] == "Dawit.Haile@example.com"
    assert answers["norwegian_course_hours"] == 120
    assert answers["norwegian_course_names"] == "Asmara, Alliance"
    assert (answers["years_school"], answers["years_higher_education"]) == (12, 2)
    assert answers["short_term_goals"] == ["norwegian", "education", "work"]
    assert "age_outside_group" not in answers
