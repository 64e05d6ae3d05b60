"""The engine: walking and validating a fully answered questionnaire costs no more than
reading its definition (target ratio <= 1.0)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench.harness import Case, benchmark
from sporreskjema import Form, parse_definition
from sporreskjema.definition import builtin_path

TODAY = dt.date(2026, 11, 27)

#: An engineer with two degrees, three jobs, four languages and two courses, as typed.
ENGINEER: dict[str, Any] = {
    "acknowledged": True,
    "full_name": "Oleksandr Kovalenko",
    "birth_date": "14.03.1985",
    "person_id": "2024 0012 3456",
    "permit_date": "02.11.2026",
    "citizenship": "UA",
    "residence": "Trondheim mottak",
    "phone": "+47 912 34 567",
    "email": "o.kovalenko@example.com",
    "mother_tongues": ["uk"],
    "mother_tongue_literacy": "yes",
    "latin_literacy": "yes",
    "has_other_languages": "yes",
    **{
        f"other_languages[{i}].{skill}": level
        for i, (lang, level) in enumerate(
            [("ru", "very_well"), ("en", "well"), ("de", "a_little"), ("pl", "a_little")]
        )
        for skill in ("understanding", "speaking", "reading", "writing")
    },
    **{f"other_languages[{i}].language": lang for i, lang in enumerate(["ru", "en", "de", "pl"])},
    "norwegian_level": "a_little",
    "norwegian_course_hours": "120",
    "norwegian_course_names": "Online course",
    "norwegian_test": "A1",
    "years_school": "11",
    "years_higher_education": "6",
    "educations[0].level": "master",
    "educations[0].field": "07",
    "educations[0].programme": "Electrical engineering",
    "educations[0].institution": "Kyiv Polytechnic Institute",
    "educations[0].country": "UA",
    "educations[0].status": "completed",
    "educations[0].start_year": "2006",
    "educations[0].end_year": "2008",
    "educations[0].evidence": "with_me",
    "educations[0].recognition": "yes",
    "educations[1].level": "bachelor",
    "educations[1].field": "07",
    "educations[1].programme": "Electrical engineering",
    "educations[1].institution": "Kyiv Polytechnic Institute",
    "educations[1].country": "UA",
    "educations[1].status": "completed",
    "educations[1].start_year": "2002",
    "educations[1].end_year": "2006",
    "educations[1].evidence": "can_get",
    "educations[1].recognition": "yes",
    "has_work_experience": "yes",
    **{
        f"jobs[{i}].{k}": v
        for i, job in enumerate(
            [
                ("Lead engineer", "2", "2016", "yes", None),
                ("Electrical engineer", "2", "2010", "no", "2016"),
                ("Technician", "3", "2008", "no", "2010"),
            ]
        )
        for k, v in {
            "job_title": job[0],
            "occupation_group": job[1],
            "job_country": "UA",
            "from_year": job[2],
            "still_working": job[3],
            "to_year": job[4],
            "employment": "full_time",
            "self_employed": "no",
            "tasks": "Design and maintenance of power grids",
            "job_evidence": "with_me",
        }.items()
        if v is not None
    },
    "informal_work": "Helped on the family farm",
    "has_driving_licence": "yes",
    "licence_classes": ["B", "BE"],
    "licence_country": "UA",
    "licence_with_me": "yes",
    "digital_smartphone": "can",
    "digital_email": "can",
    "digital_forms": "can",
    "digital_text": "can",
    "digital_spreadsheets": "with_help",
    "has_courses": "yes",
    "courses[0].course_name": "High-voltage safety",
    "courses[0].course_provider": "Ukrenergo",
    "courses[0].course_country": "UA",
    "courses[0].course_year": "2018",
    "courses[0].course_evidence": "with_me",
    "courses[1].course_name": "First aid",
    "courses[1].course_evidence": "none",
    "volunteer_work": "Volunteer fire brigade",
    "skills": ["repair", "computers", "driving"],
    "skills_other": "Chess",
    "short_term_goals": ["work", "norwegian"],
    "long_term_goal": "Work as an electrical engineer in Norway",
    "wished_occupations": "Electrical engineer",
    "wished_occupation_group": "2",
    "counsellor_info": "",
    "confirmed": True,
}


def fill(form: Form, answers: dict[str, Any]) -> None:
    for path, raw in answers.items():
        if "[" in path:
            group, rest = path.split("[", 1)
            while len(form.entries(group)) <= int(rest.split("]")[0]):
                form.add_entry(group)
        error = form.set(path, raw)
        if error is not None:
            raise ValueError(f"{path}: {error.msgid}")


@benchmark("engine: walk and validate a full questionnaire")
def engine(quick: bool) -> Case:
    text = builtin_path().read_text(encoding="utf-8")
    questionnaire = parse_definition(text)

    def walk_and_validate() -> None:
        form = Form(questionnaire, today=TODAY)
        fill(form, ENGINEER)
        visible = list(form.iter_visible())
        problems = form.errors()
        progress = form.progress()
        if not visible or problems or not all(s.complete for s in progress):
            raise RuntimeError("the sample registration should be complete and valid")

    return Case(
        target=1.0,
        subject=walk_and_validate,
        baseline=lambda: parse_definition(text),
        detail=f"{len(ENGINEER)} answers typed, flow and validation; baseline: load the definition",
    )
