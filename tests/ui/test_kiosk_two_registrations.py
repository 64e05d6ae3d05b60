"""Two whole registrations, typed at the real kiosk key by key and exported: an engineer
from Ukraine (in Ukrainian) and a farm worker from Eritrea (in Tigrinya, his dates and years as
his papers write them, in the Ethiopian calendar). The JSON export is validated against its
schema and every fact the person typed is compared with what the file says, one by one, so
that a failure names the fact.

The expected records are data, at the top: what each person types and what the export must
say. Nothing depends on the catalogs' text (answers are found by their codes); the Gregorian
days and years of the Ethiopian ones come from convertdate, not from this program.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, Final

import jsonschema
import pytest
from convertdate import coptic
from textual.pilot import Pilot

from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection, schema
from kompass_tui.storage import accounts, review
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Status
from kompass_tui.wizard.screens.receipt import ReceiptScreen
from tests.support.kiosk_pilot import (
    SIZE,
    add_entry,
    choose,
    choose_many,
    error_of,
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
from tests.support.odk import round_trip

#: The Ethiopian era's years run 276 ahead of the Coptic era's, whose arithmetic convertdate has.
ETHIOPIAN_AHEAD: Final = 276


def ethiopian_day(year: int, month: int, day: int) -> str:
    """An Ethiopian date as convertdate reckons it, Gregorian, as the export writes it."""
    return dt.date(*coptic.to_gregorian(year - ETHIOPIAN_AHEAD, month, day)).isoformat()


def ethiopian_year(year: int) -> int:
    """The Gregorian year holding most of an Ethiopian year: it begins in September (Meskerem)
    and so lies mostly in the Gregorian year of its fifth month, Tir (January)."""
    gregorian_year: int = coptic.to_gregorian(year - ETHIOPIAN_AHEAD, 5, 1)[0]
    return gregorian_year


# ------------------------------------------------------------------ the engineer from Ukraine

ENGINEER: Final[dict[str, Any]] = {
    "locale": "uk",
    "person": {
        "full_name": "Олександр Коваленко",
        "birth_date": "1986-03-14",
        "person_id": "202400123456",
        "permit_date": "2026-11-02",
        "settlement_date": None,  # a caseworker records it after settlement, never the kiosk
    },
    "answers": {
        "acknowledged": True,
        "full_name": "Олександр Коваленко",
        "birth_date": "1986-03-14",
        "person_id": "202400123456",
        "permit_date": "2026-11-02",
        "citizenship": "UA",
        "residence": "Трондгейм",
        "phone": "+4791234567",
        "email": "Oleksandr.Kovalenko@ukr.net",  # the domain as DNS has it: in lower case
        "mother_tongues": ["uk"],
        "mother_tongue_literacy": "yes",
        "latin_literacy": "yes",
        "has_other_languages": "yes",
        "other_languages": [
            {
                "language": "ru",
                "understanding": "very_well",
                "speaking": "very_well",
                "reading": "very_well",
                "writing": "very_well",
            },
            {
                "language": "en",
                "understanding": "well",
                "speaking": "a_little",
                "reading": "very_well",
                "writing": "well",
            },
        ],
        "norwegian_level": "a_little",
        "norwegian_course_hours": 250,
        "norwegian_course_names": "Norsk på nett, Trondheim",
        "norwegian_test": "A1",
        "years_school": 11,
        "years_higher_education": 6,
        "educations": [
            {
                "level": "master",
                "level_nus2000": "7",
                "level_isced2011": "7",
                "field": "07",
                "field_iscedf2013": "07",
                "programme": "Електроенергетика",
                "institution": "КПІ ім. Ігоря Сікорського",
                "country": "UA",
                "status": "completed",
                "start_year": 2007,
                "end_year": 2009,
                "evidence": "with_me",
                "recognition": "yes",
            },
            {
                "level": "bachelor",
                "level_nus2000": "6",
                "level_isced2011": "6",
                "field": "07",
                "field_iscedf2013": "07",
                "programme": "Електротехніка",
                "institution": "КПІ ім. Ігоря Сікорського",
                "country": "UA",
                "status": "completed",
                "start_year": 2003,
                "end_year": 2007,
                "evidence": "with_me",
                "recognition": "yes",
            },
        ],
        "has_work_experience": "yes",
        "jobs": [
            {
                "job_title": "Інженер-електрик",
                "occupation_group": "2",
                "job_country": "UA",
                "from_year": 2016,
                "still_working": "yes",
                "employment": "full_time",
                "self_employed": "no",
                "tasks": "Проєктування електромереж",
                "job_evidence": "with_me",
            },
            {
                "job_title": "Технік",
                "occupation_group": "3",
                "job_country": "UA",
                "from_year": 2009,
                "still_working": "no",
                "to_year": 2016,
                "employment": "full_time",
                "self_employed": "no",
                "job_evidence": "can_get",
            },
        ],
        "has_driving_licence": "yes",
        "licence_classes": ["B"],
        "licence_country": "UA",
        "licence_with_me": "yes",
        "digital_smartphone": "can",
        "digital_email": "can",
        "digital_forms": "can",
        "digital_text": "can",
        "digital_spreadsheets": "with_help",
        "has_courses": "no",
        "short_term_goals": ["norwegian", "work"],  # Norwegian first, then work
        "long_term_goal": "Працювати інженером-електриком у Норвегії",
        "wished_occupations": "Інженер-електрик",
        "wished_occupation_group": "2",
        "confirmed": True,
    },
}


async def type_engineer(pilot: Pilot[None]) -> None:
    await tick(pilot, "acknowledged")
    await next_step(pilot)
    await type_text(pilot, "full_name", "Олександр Коваленко")
    await type_text(pilot, "birth_date", "14.03.1986")
    await type_text(pilot, "person_id", "2024 0012 3456")
    await type_text(pilot, "permit_date", "02.11.2026")
    await pick(pilot, "citizenship", "UA")
    await type_text(pilot, "residence", "Трондгейм")
    await type_text(pilot, "phone", "+47 912 34 567")
    await type_text(pilot, "email", "Oleksandr.Kovalenko@Ukr.NET")
    await next_step(pilot)
    await pick(pilot, "mother_tongues", "uk")
    await choose(pilot, "mother_tongue_literacy", "yes")
    await choose(pilot, "latin_literacy", "yes")
    await choose(pilot, "has_other_languages", "yes")
    for index, language in enumerate(ENGINEER["answers"]["other_languages"]):
        await add_entry(pilot, "other_languages")
        await pick(pilot, f"other_languages[{index}].language", language["language"])
        for skill in ("understanding", "speaking", "reading", "writing"):
            await choose(pilot, f"other_languages[{index}].{skill}", language[skill])
        await finish_entry(pilot)
    await choose(pilot, "norwegian_level", "a_little")
    await type_text(pilot, "norwegian_course_hours", "250")
    await type_text(pilot, "norwegian_course_names", "Norsk på nett, Trondheim")
    await choose(pilot, "norwegian_test", "A1")
    await next_step(pilot)
    await type_text(pilot, "years_school", "11")
    await type_text(pilot, "years_higher_education", "6")
    for index, education in enumerate(ENGINEER["answers"]["educations"]):
        prefix = f"educations[{index}]"
        await add_entry(pilot, "educations")
        await choose(pilot, f"{prefix}.level", education["level"])
        await choose(pilot, f"{prefix}.field", "07")
        await type_text(pilot, f"{prefix}.programme", education["programme"])
        await type_text(pilot, f"{prefix}.institution", "КПІ ім. Ігоря Сікорського")
        await pick(pilot, f"{prefix}.country", "UA")
        await choose(pilot, f"{prefix}.status", "completed")
        await type_text(pilot, f"{prefix}.start_year", str(education["start_year"]))
        await type_text(pilot, f"{prefix}.end_year", str(education["end_year"]))
        await choose(pilot, f"{prefix}.evidence", "with_me")
        await choose(pilot, f"{prefix}.recognition", "yes")
        await finish_entry(pilot)
    await next_step(pilot)
    await choose(pilot, "has_work_experience", "yes")
    for index, job in enumerate(ENGINEER["answers"]["jobs"]):
        prefix = f"jobs[{index}]"
        await add_entry(pilot, "jobs")
        await type_text(pilot, f"{prefix}.job_title", job["job_title"])
        await choose(pilot, f"{prefix}.occupation_group", job["occupation_group"])
        await pick(pilot, f"{prefix}.job_country", "UA")
        await type_text(pilot, f"{prefix}.from_year", str(job["from_year"]))
        await choose(pilot, f"{prefix}.still_working", job["still_working"])
        if "to_year" in job:
            await type_text(pilot, f"{prefix}.to_year", str(job["to_year"]))
        await choose(pilot, f"{prefix}.employment", "full_time")
        await choose(pilot, f"{prefix}.self_employed", "no")
        if "tasks" in job:
            await type_text(pilot, f"{prefix}.tasks", job["tasks"])
        await choose(pilot, f"{prefix}.job_evidence", job["job_evidence"])
        await finish_entry(pilot)
    await next_step(pilot)
    await choose(pilot, "has_driving_licence", "yes")
    await choose_many(pilot, "licence_classes", ["B"])
    await pick(pilot, "licence_country", "UA")
    await choose(pilot, "licence_with_me", "yes")
    for skill in ("smartphone", "email", "forms", "text"):
        await choose(pilot, f"digital_{skill}", "can")
    await choose(pilot, "digital_spreadsheets", "with_help")
    await choose(pilot, "has_courses", "no")
    await next_step(pilot)
    await choose_many(pilot, "short_term_goals", ["norwegian", "work"])
    await type_text(pilot, "long_term_goal", "Працювати інженером-електриком у Норвегії")
    await type_text(pilot, "wished_occupations", "Інженер-електрик")
    await choose(pilot, "wished_occupation_group", "2")


# ------------------------------------------------------------ the farm worker from Eritrea

FARM_WORKER: Final[dict[str, Any]] = {
    "locale": "ti",
    "person": {
        "full_name": "ተስፋይ ገብረማርያም",
        "birth_date": ethiopian_day(1982, 5, 12),  # Tir 12, 1982
        "person_id": "202412345678",
        "permit_date": ethiopian_day(2019, 3, 1),  # Hidar 1, 2019
        "settlement_date": None,
    },
    "answers": {
        "acknowledged": True,
        "full_name": "ተስፋይ ገብረማርያም",
        "birth_date": ethiopian_day(1982, 5, 12),
        "birth_date_as_written": "ethiopian:1982-05-12",
        "person_id": "202412345678",
        "permit_date": ethiopian_day(2019, 3, 1),
        "permit_date_as_written": "ethiopian:2019-03-01",
        "citizenship": "ER",
        "residence": "Mottak Nord",
        "mother_tongues": ["ti"],
        "mother_tongue_literacy": "a_little",
        "latin_literacy": "no",
        "has_other_languages": "yes",
        "other_languages": [
            {
                "language": "ar",
                "understanding": "well",
                "speaking": "well",
                "reading": "a_little",
                "writing": "none",
            },
        ],
        "norwegian_level": "a_little",
        "norwegian_course_hours": 40,
        "years_school": 4,
        "years_higher_education": 0,
        "educations": [
            {
                "level": "primary",
                "level_nus2000": "1",
                "level_isced2011": "1",
                "institution": "ቤት ትምህርቲ ዓዲ ቐይሕ",
                "country": "ER",
                "status": "not_completed",
                "start_year": ethiopian_year(1989),
                "start_year_as_written": "ethiopian:1989",
                "end_year": ethiopian_year(1993),
                "end_year_as_written": "ethiopian:1993",
                "evidence": "none",
            },
        ],
        "has_work_experience": "yes",
        "jobs": [
            {
                "job_title": "ሰራሕተኛ ሕርሻ",
                "occupation_group": "6",
                "job_country": "ER",
                "from_year": ethiopian_year(1998),
                "from_year_as_written": "ethiopian:1998",
                "still_working": "no",
                "to_year": ethiopian_year(2014),
                "to_year_as_written": "ethiopian:2014",
                "employment": "seasonal",
                "self_employed": "no",
                "job_evidence": "none",
            },
        ],
        "informal_work": "ሕርሻ ምስ ስድራ",
        "has_driving_licence": "no",
        "digital_smartphone": "can",
        "digital_email": "cannot",
        "digital_forms": "cannot",
        "digital_text": "cannot",
        "digital_spreadsheets": "cannot",
        "has_courses": "no",
        "skills": ["farming"],
        "short_term_goals": ["work", "norwegian", "education"],  # not the list's order
        "long_term_goal": "ሓረስታይ ኣብ ኖርወይ",
        "confirmed": True,
    },
}


async def type_farm_worker(pilot: Pilot[None]) -> None:
    """Every date and year in the Ethiopian calendar, which Tigrinya preselects."""
    await tick(pilot, "acknowledged")
    await next_step(pilot)
    await type_text(pilot, "full_name", "ተስፋይ ገብረማርያም")
    await type_text(pilot, "birth_date", "1982-05-12", calendar="ethiopian")
    await type_text(pilot, "person_id", "2024 1234 5678")
    await type_text(pilot, "permit_date", "2019-03-01", calendar="ethiopian")
    await pick(pilot, "citizenship", "ER")
    await type_text(pilot, "residence", "Mottak Nord")
    await next_step(pilot)
    await pick(pilot, "mother_tongues", "ti")
    await choose(pilot, "mother_tongue_literacy", "a_little")
    await choose(pilot, "latin_literacy", "no")
    await choose(pilot, "has_other_languages", "yes")
    await add_entry(pilot, "other_languages")
    await pick(pilot, "other_languages[0].language", "ar")
    for skill, level in [("understanding", "well"), ("speaking", "well"),
                         ("reading", "a_little"), ("writing", "none")]:  # fmt: skip
        await choose(pilot, f"other_languages[0].{skill}", level)
    await finish_entry(pilot)
    await choose(pilot, "norwegian_level", "a_little")
    await type_text(pilot, "norwegian_course_hours", "40")
    await next_step(pilot)
    await type_text(pilot, "years_school", "4")
    await type_text(pilot, "years_higher_education", "0")
    await add_entry(pilot, "educations")
    await choose(pilot, "educations[0].level", "primary")
    await type_text(pilot, "educations[0].institution", "ቤት ትምህርቲ ዓዲ ቐይሕ")
    await pick(pilot, "educations[0].country", "ER")
    await choose(pilot, "educations[0].status", "not_completed")
    await type_text(pilot, "educations[0].start_year", "1989", calendar="ethiopian")
    await type_text(pilot, "educations[0].end_year", "1993", calendar="ethiopian")
    await choose(pilot, "educations[0].evidence", "none")
    await finish_entry(pilot)
    await next_step(pilot)
    await choose(pilot, "has_work_experience", "yes")
    await add_entry(pilot, "jobs")
    await type_text(pilot, "jobs[0].job_title", "ሰራሕተኛ ሕርሻ")
    await choose(pilot, "jobs[0].occupation_group", "6")
    await pick(pilot, "jobs[0].job_country", "ER")
    await type_text(pilot, "jobs[0].from_year", "1998", calendar="ethiopian")
    await choose(pilot, "jobs[0].still_working", "no")
    await type_text(pilot, "jobs[0].to_year", "2014", calendar="ethiopian")
    await choose(pilot, "jobs[0].employment", "seasonal")
    await choose(pilot, "jobs[0].self_employed", "no")
    await choose(pilot, "jobs[0].job_evidence", "none")
    await finish_entry(pilot)
    await type_text(pilot, "informal_work", "ሕርሻ ምስ ስድራ")
    await next_step(pilot)
    await choose(pilot, "has_driving_licence", "no")
    await choose(pilot, "digital_smartphone", "can")
    for skill in ("email", "forms", "text", "spreadsheets"):
        await choose(pilot, f"digital_{skill}", "cannot")
    await choose(pilot, "has_courses", "no")
    await choose_many(pilot, "skills", ["farming"])
    await next_step(pilot)
    await choose_many(pilot, "short_term_goals", ["work", "norwegian", "education"])
    await type_text(pilot, "long_term_goal", "ሓረስታይ ኣብ ኖርወይ")


PEOPLE: Final = [
    pytest.param(ENGINEER, type_engineer, id="engineer-uk"),
    pytest.param(FARM_WORKER, type_farm_worker, id="farm-worker-ti"),
]


# ------------------------------------------------------------------ comparing fact by fact


def facts(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of a nested record as (path, value); a list of codes is one fact (its order
    is part of it), an entry of a repeat group is a fact per answer."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from facts(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        yield f"{path}#count", len(value)
        for index, item in enumerate(value):
            yield from facts(item, f"{path}[{index}]")
    else:
        yield path, value


def differences(expected: dict[str, Any], written: dict[str, Any]) -> list[str]:
    """Each fact that is missing, different, or written without having been typed."""
    want, got = dict(facts(expected)), dict(facts(written))
    wrong = [
        f"{path}: typed {value!r}, exported {got.get(path, '<missing>')!r}"
        for path, value in want.items()
        if got.get(path, ...) != value
    ]
    wrong += [f"{path}: exported {got[path]!r}, never typed" for path in got if path not in want]
    return wrong


def derived(path: str) -> bool:
    """A code the export writes beside an answer (an ISCED or NUS2000 code), or a count."""
    return path.endswith(("_nus2000", "_isced2011", "_iscedf2013", "#count"))


def exported_json(db: Database, out: Path) -> list[dict[str, Any]]:
    worker = accounts.add_user(
        db, username="kari", full_name="Kari Nordmann", password="a long passphrase"
    )
    assert worker.id is not None
    record, _answers = stored(db)
    review.set_status(db, record_id=record.id, actor_id=worker.id, status=Status.reviewed)
    export(db, fmt=Format.json, out=out, selection=Selection(), actor_id=worker.id)
    loaded: list[dict[str, Any]] = json.loads(out.read_text("utf-8"))
    return loaded


@pytest.mark.slow
@pytest.mark.parametrize(("person", "type_in"), PEOPLE)
async def test_every_typed_fact_is_in_the_export(
    sqlite_db: Database,
    tmp_path: Path,
    person: dict[str, Any],
    type_in: Callable[[Pilot[None]], Awaitable[None]],
) -> None:
    locale = person["locale"]
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, locale)
        await type_in(pilot)
        await reach(pilot, "confirmed")
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")
        assert isinstance(app.screen, ReceiptScreen), error_of(pilot, "confirmed")

    (record,) = exported_json(sqlite_db, tmp_path / "records.json")
    jsonschema.validate(record, schema(), format_checker=jsonschema.FormatChecker())
    assert (record["schema_version"], record["questionnaire"]) == (
        3,
        {"id": "kompass", "version": "2"},
    )
    assert (record["status"], record["mode"], record["locale"], record["locales_used"]) == (
        "exported",
        "kiosk",
        locale,
        [locale],
    )
    assert record["timestamps"]["exported"] is not None
    assert not record["needs_follow_up"]  # both are within the programme's age group
    for part in ("person", "answers"):
        wrong = differences(person[part], record[part])
        assert not wrong, f"{part}:\n" + "\n".join(wrong)
    # every answer typed is written as given by the person alone, at the kiosk
    typed = [path for path, _value in facts(person["answers"]) if not derived(path)]
    assert record["provenance"] == dict.fromkeys(typed, "self")
    assert record["places"] == dict.fromkeys(typed, "kiosk")
    assert record["remarks"] == []
    assert record["corrections"] == []
    # The same registration from a tablet: the instance ODK Collect would send for the same
    # answers, imported with --from-odk, is the record the kiosk made. ODK keeps a date in the
    # Gregorian calendar only, so what a date looked like in the papers' calendar
    # (…_as_written) is the kiosk's alone.
    collected = round_trip(tmp_path, person["answers"], locale)
    assert not_as_written(collected["answers"]) == not_as_written(record["answers"])
    assert collected["person"] == record["person"]
    assert collected["mode"] == "imported"


def not_as_written(answers: Any) -> Any:
    if isinstance(answers, dict):
        return {
            name: not_as_written(value)
            for name, value in answers.items()
            if not name.endswith("_as_written")
        }
    if isinstance(answers, list):
        return [not_as_written(value) for value in answers]
    return answers
