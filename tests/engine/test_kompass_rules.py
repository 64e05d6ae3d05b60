"""Every skip rule and every constraint of the built-in Kompass (sporreskjema/definitions/kompass-v2.toml),
one row per case.

The coverage tests at the end fail when the definition gains a rule these tables
do not exercise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sporreskjema import Form, Questionnaire
from tests.support.helpers import TODAY, filled, make_national_id

BORN = {"birth_date": "17.05.1990"}

# (question, answers set first, shown?)
SKIP_RULES: list[tuple[str, dict[str, Any], bool]] = [
    ("other_languages", {"has_other_languages": "yes"}, True),
    ("other_languages", {"has_other_languages": "no"}, False),
    ("other_languages", {}, False),
    ("norwegian_course_hours", {"norwegian_level": "a_little"}, True),
    ("norwegian_course_hours", {"norwegian_level": "none"}, False),
    ("norwegian_course_names", {"norwegian_level": "well"}, True),
    ("norwegian_course_names", {"norwegian_level": "none"}, False),
    # The introduction programme's group is 18 to 55 at the permit date: outside it, staff check.
    ("age_outside_group", {"birth_date": "17.05.1990", "permit_date": "01.06.2026"}, False),
    ("age_outside_group", {"birth_date": "02.06.2008", "permit_date": "01.06.2026"}, True),
    ("age_outside_group", {"birth_date": "01.06.2008", "permit_date": "01.06.2026"}, False),
    ("age_outside_group", {"birth_date": "01.06.1970", "permit_date": "01.06.2026"}, True),
    ("age_outside_group", {"birth_date": "02.06.1970", "permit_date": "01.06.2026"}, False),
    ("age_outside_group", {"birth_date": "02.06.1970"}, False),
    ("norwegian_test", {"norwegian_level": "well"}, True),
    ("norwegian_test", {"norwegian_level": "none"}, False),
    ("educations[0].field", {"educations[0].level": "bachelor"}, True),
    ("educations[0].field", {"educations[0].level": "upper_secondary"}, True),
    ("educations[0].field", {"educations[0].level": "primary"}, False),
    ("educations[0].field", {"educations[0].level": "lower_secondary"}, False),
    ("educations[0].field", {"educations[0].level": "literacy"}, False),
    ("educations[0].programme", {"educations[0].level": "master"}, True),
    ("educations[0].programme", {"educations[0].level": "none"}, False),
    ("educations[0].institution", {"educations[0].level": "primary"}, True),
    ("educations[0].institution", {"educations[0].level": "none"}, False),
    ("educations[0].country", {"educations[0].level": "literacy"}, True),
    ("educations[0].country", {"educations[0].level": "none"}, False),
    ("educations[0].status", {"educations[0].level": "primary"}, True),
    ("educations[0].status", {"educations[0].level": "none"}, False),
    ("educations[0].start_year", {"educations[0].level": "doctoral"}, True),
    ("educations[0].start_year", {"educations[0].level": "none"}, False),
    (
        "educations[0].end_year",
        {"educations[0].level": "bachelor", "educations[0].status": "completed"},
        True,
    ),
    (
        "educations[0].end_year",
        {"educations[0].level": "bachelor", "educations[0].status": "not_completed"},
        True,
    ),
    (
        "educations[0].end_year",
        {"educations[0].level": "bachelor", "educations[0].status": "ongoing"},
        False,
    ),
    ("educations[0].end_year", {"educations[0].level": "none"}, False),
    ("educations[0].evidence", {"educations[0].level": "primary"}, True),
    ("educations[0].evidence", {"educations[0].level": "none"}, False),
    ("educations[0].recognition", {"educations[0].level": "upper_secondary"}, True),
    ("educations[0].recognition", {"educations[0].level": "post_secondary"}, True),
    ("educations[0].recognition", {"educations[0].level": "short_tertiary"}, True),
    ("educations[0].recognition", {"educations[0].level": "master"}, True),
    ("educations[0].recognition", {"educations[0].level": "lower_secondary"}, False),
    ("educations[0].recognition", {"educations[0].level": "literacy"}, False),
    ("jobs", {"has_work_experience": "yes"}, True),
    ("jobs", {"has_work_experience": "no"}, False),
    ("jobs[0].to_year", {"has_work_experience": "yes", "jobs[0].still_working": "no"}, True),
    ("jobs[0].to_year", {"has_work_experience": "yes", "jobs[0].still_working": "yes"}, False),
    ("jobs[0].to_year", {"has_work_experience": "yes", "jobs[0].job_title": "Cook"}, False),
    ("licence_classes", {"has_driving_licence": "yes"}, True),
    ("licence_classes", {"has_driving_licence": "no"}, False),
    ("licence_country", {"has_driving_licence": "yes"}, True),
    ("licence_country", {"has_driving_licence": "no"}, False),
    ("licence_with_me", {"has_driving_licence": "yes"}, True),
    ("licence_with_me", {}, False),
    ("courses", {"has_courses": "yes"}, True),
    ("courses", {"has_courses": "no"}, False),
    ("short_term_other", {"short_term_goals": ["work", "other"]}, True),
    ("short_term_other", {"short_term_goals": ["work", "norwegian"]}, False),
    ("short_term_other", {}, False),
]


def visible_paths(form: Form) -> set[str]:
    return {str(item.path) for item in form.iter_visible()}


@pytest.mark.parametrize(("question", "answers", "shown"), SKIP_RULES)
def test_skip_rule(
    kompass: Questionnaire, question: str, answers: dict[str, Any], shown: bool
) -> None:
    form = filled(kompass, TODAY, answers)
    assert (question in visible_paths(form)) is shown


def test_entries_of_a_hidden_group_are_hidden_and_left_out(kompass: Questionnaire) -> None:
    form = filled(kompass, TODAY, {"has_work_experience": "yes", "jobs[0].job_title": "Cook"})
    assert "jobs[0].job_title" in visible_paths(form)
    assert form.set("has_work_experience", "no") is None
    assert "jobs[0].job_title" not in visible_paths(form)
    assert "jobs" not in form.relevant_answers()
    # the answers come back when the person changes their mind
    assert form.set("has_work_experience", "yes") is None
    assert form.relevant_answers()["jobs"] == [{"job_title": "Cook"}]


FNR = make_national_id(dt.date(1990, 5, 17))
OTHER_FNR = make_national_id(dt.date(1991, 5, 17))

# (question, answers set first, value, accepted?)
CONSTRAINTS: list[tuple[str, dict[str, Any], Any, bool]] = [
    ("birth_date", {}, "17.05.1990", True),
    ("birth_date", {}, TODAY.isoformat(), False),  # six years old or younger: refused
    ("birth_date", {}, TODAY.replace(year=TODAY.year - 6).isoformat(), False),
    ("birth_date", {}, TODAY.replace(year=TODAY.year - 16).isoformat(), True),
    (
        "birth_date",
        {},
        (TODAY.replace(year=TODAY.year - 16) + dt.timedelta(days=1)).isoformat(),
        False,
    ),
    ("birth_date", {}, (TODAY + dt.timedelta(days=1)).isoformat(), False),
    ("birth_date", {}, f"01.01.{TODAY.year - 121}", False),
    ("person_id", BORN, FNR, True),
    ("person_id", BORN, OTHER_FNR, False),
    ("person_id", BORN, "201912345678", True),
    ("person_id", {}, OTHER_FNR, True),  # nothing to compare with yet
    ("permit_date", BORN, "01.06.2026", True),
    ("permit_date", BORN, "16.05.1990", False),
    ("permit_date", BORN, (TODAY + dt.timedelta(days=1)).isoformat(), False),
    ("years_school", BORN, "12", True),
    ("years_school", {"birth_date": f"01.01.{TODAY.year - 17}"}, "18", False),
    ("years_school", {"birth_date": f"01.01.{TODAY.year - 17}"}, "17", True),
    ("years_higher_education", {**BORN, "years_school": "12"}, "5", True),
    (
        "years_higher_education",
        {"birth_date": f"01.01.{TODAY.year - 17}", "years_school": "12"},
        "6",
        False,
    ),
    (
        "years_higher_education",
        {"birth_date": f"01.01.{TODAY.year - 17}", "years_school": "12"},
        "5",
        True,
    ),
    ("educations[0].start_year", {**BORN, "educations[0].level": "bachelor"}, "2008", True),
    ("educations[0].start_year", {**BORN, "educations[0].level": "bachelor"}, "1989", False),
    (
        "educations[0].end_year",
        {**BORN, "educations[0].level": "bachelor", "educations[0].start_year": "2008"},
        "2012",
        True,
    ),
    (
        "educations[0].end_year",
        {**BORN, "educations[0].level": "bachelor", "educations[0].start_year": "2008"},
        "2008",
        True,
    ),
    (
        "educations[0].end_year",
        {**BORN, "educations[0].level": "bachelor", "educations[0].start_year": "2008"},
        "2007",
        False,
    ),
    ("educations[0].end_year", {**BORN, "educations[0].level": "bachelor"}, "1989", False),
    ("jobs[0].from_year", {**BORN, "has_work_experience": "yes"}, "2010", True),
    ("jobs[0].from_year", {**BORN, "has_work_experience": "yes"}, "1985", False),
    (
        "jobs[0].to_year",
        {"has_work_experience": "yes", "jobs[0].from_year": "2010", "jobs[0].still_working": "no"},
        "2015",
        True,
    ),
    (
        "jobs[0].to_year",
        {"has_work_experience": "yes", "jobs[0].from_year": "2010", "jobs[0].still_working": "no"},
        "2009",
        False,
    ),
    ("courses[0].course_year", {**BORN, "has_courses": "yes"}, "2020", True),
    ("courses[0].course_year", {**BORN, "has_courses": "yes"}, "1980", False),
]


@pytest.mark.parametrize(("question", "answers", "value", "accepted"), CONSTRAINTS)
def test_constraint(
    kompass: Questionnaire, question: str, answers: dict[str, Any], value: Any, accepted: bool
) -> None:
    form = filled(kompass, TODAY, answers)
    if "[" in question and not form.entries(question.split("[")[0]):
        form.add_entry(question.split("[")[0])
    error = form.set(question, value)
    assert (error is None) is accepted
    if not accepted:
        assert error is not None
        assert error.msgid == kompass.question(question.rsplit(".", 1)[-1]).constraint_message


def test_a_later_answer_can_break_an_earlier_one(kompass: Questionnaire) -> None:
    """Changing the start year after the end year makes the end year an error, not lost."""
    form = filled(kompass, TODAY, {
        **BORN, "educations[0].level": "bachelor", "educations[0].status": "completed",
        "educations[0].start_year": "2008", "educations[0].end_year": "2011",
    })  # fmt: skip
    assert form.set("educations[0].start_year", "2012") is None
    errors = {str(e.path): e.message.msgid for e in form.errors("education")}
    assert errors["educations[0].end_year"] == kompass.question("end_year").constraint_message
    assert form.get("educations[0].end_year") == 2011


def _names(rows: list[tuple[Any, ...]]) -> set[str]:
    return {row[0].rsplit(".", 1)[-1] for row in rows}


@pytest.mark.parametrize(
    ("rule", "table", "outcome"), [("relevant", SKIP_RULES, 2), ("constraint", CONSTRAINTS, 3)]
)
def test_every_rule_is_in_its_table(
    kompass: Questionnaire, rule: str, table: list[tuple[Any, ...]], outcome: int
) -> None:
    with_rule = {q.name for q in kompass.all_questions() if getattr(q, rule)}
    assert with_rule == _names(table)
    # each rule is seen both passing and failing
    for name in with_rule:
        outcomes = {row[outcome] for row in table if row[0].rsplit(".", 1)[-1] == name}
        assert outcomes == {True, False}, name


def test_the_survey_covers_what_the_law_requires(kompass: Questionnaire) -> None:
    """Languages, education, work experience and other competence (integreringsloven § 10)."""
    names = [s.name for s in kompass.sections]
    assert names == [
        "start",
        "about_you",
        "languages",
        "education",
        "work",
        "other",
        "goals",
        "summary",
    ]
    # each education, job and course records its evidence
    for group in ("educations", "jobs", "courses"):
        children = kompass.question(group).questions
        assert any(c.choices == "evidence" for c in children), group
    assert [c.code for c in kompass.choice_list("evidence")] == [
        "with_me",
        "can_get",
        "none",
        "lost",
    ]
    assert [c.code for c in kompass.provenance] == [
        "self",
        "self_with_help",
        "interpreter",
        "caseworker",
    ]
    assert {c.code: c.nus for c in kompass.choice_list("isced_level")}["bachelor"] == "6"
    assert [c.code for c in kompass.choice_list("licence_class")] == [
        "AM", "A1", "A2", "A", "B", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE", "T", "S",
    ]  # fmt: skip
    assert len(kompass.choice_list("isco_major")) == 10
    assert len(kompass.choice_list("isced_field")) == 12


@pytest.mark.parametrize(
    ("birth_date", "follow_ups"),
    [("17.05.1990", []), ("02.06.2008", ["age_outside_group"]),
     ("01.06.1970", ["age_outside_group"]), ("02.06.1970", [])],
)  # fmt: skip
def test_an_age_outside_the_programmes_group_is_left_to_staff(
    kompass: Questionnaire, birth_date: str, follow_ups: list[str]
) -> None:
    """Outside 18 to 55 the person reads the message and can go on (nothing to tick, nothing
    refused); the form names the follow-up the record is sent with."""
    form = filled(kompass, TODAY, {"birth_date": birth_date, "permit_date": "01.06.2026"})
    assert form.follow_ups() == follow_ups
    note = kompass.question("age_outside_group")
    assert note.follow_up
    assert not note.holds_value
    assert not note.required
    assert "ask the staff" in (note.help or "").lower()
    assert "age_outside_group" not in {str(e.path) for e in form.errors()}
