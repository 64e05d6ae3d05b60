"""Small questionnaires written inline, in the definition format (TOML)."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from sporreskjema import Form, Questionnaire, parse_definition
from sporreskjema.identifiers import national_id_check_digits

#: A fixed "today", so that years and dates in the tests never drift.
TODAY = dt.date(2026, 11, 27)

ALL_TYPES = """
id = "alltypes"
version = "1"
title = "Every type"

[[provenance]]
code = "self"
label = "The person alone"

[[sections]]
name = "only"
title = "Only"

[[sections.questions]]
name = "intro"
type = "note"
label = "Intro"

[[sections.questions]]
name = "text"
type = "text"
label = "Text"
max_length = 10

[[sections.questions]]
name = "long_text"
type = "text"
label = "Long text"
multiline = true
max_length = 50

[[sections.questions]]
name = "integer"
type = "integer"
label = "Integer"
min = 0
max = 30

[[sections.questions]]
name = "year"
type = "year"
label = "Year"

[[sections.questions]]
name = "date"
type = "date"
label = "Date"

[[sections.questions]]
name = "single"
type = "single"
choices = "colour"
label = "Single"

[[sections.questions]]
name = "multiple"
type = "multiple"
choices = "colour"
label = "Multiple"

[[sections.questions]]
name = "language"
type = "language"
label = "Language"

[[sections.questions]]
name = "languages"
type = "language"
multiple = true
label = "Languages"

[[sections.questions]]
name = "country"
type = "country"
label = "Country"

[[sections.questions]]
name = "phone"
type = "phone"
label = "Phone"

[[sections.questions]]
name = "email"
type = "email"
label = "E-mail"

[[sections.questions]]
name = "ranked"
type = "ranked"
choices = "colour"
label = "Colours, the best first"

[[sections.questions]]
name = "duf"
type = "duf"
label = "DUF"

[[sections.questions]]
name = "national_id"
type = "national_id"
label = "National id"

[[sections.questions]]
name = "person_id"
type = "person_id"
label = "Person id"

[[sections.questions]]
name = "confirm"
type = "confirm"
label = "Confirm"

[[sections.questions]]
name = "items"
type = "repeat"
label = "Items"
max_entries = 3
entry_title = "item"

[[sections.questions.questions]]
name = "item"
type = "text"
label = "Item"
required = true

[[choices.colour]]
code = "red"
label = "Red"

[[choices.colour]]
code = "green"
label = "Green"

[[choices.colour]]
code = "blue"
label = "Blue"
"""


def inline(text: str) -> Questionnaire:
    return parse_definition(textwrap.dedent(text))


def filled(questionnaire: Questionnaire, today: dt.date, answers: dict[str, Any]) -> Form:
    """A form with ``answers`` set one by one through the engine (each must be valid)."""
    form = Form(questionnaire, today=today)
    for path, raw in answers.items():
        if "[" in path:
            group = path.split("[")[0]
            index = int(path.split("[")[1].split("]")[0])
            while len(form.entries(group)) <= index:
                form.add_entry(group)
        error = form.set(path, raw)
        assert error is None, (path, raw, error)
    return form


def add_records(
    db: Any, count: int, *, today: dt.date, start: int = 0, with_answers: bool = False
) -> None:
    """Add ``count`` records quickly (one multi-row insert per thousand), as many kiosks would
    have left them: a spread of statuses, names, identifiers and permit dates around ``today``;
    ``with_answers``: each with eight answers too, as the export reads them."""
    import uuid

    import sqlalchemy as sa
    from sqlmodel import SQLModel

    from kompass_tui.storage.models import Status

    table = SQLModel.metadata.tables["record"]
    statuses = [Status.in_progress, Status.submitted, Status.submitted, Status.reviewed,
                Status.exported]  # fmt: skip
    now = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)  # fixed: the pictures show it
    for first in range(start, start + count, 1000):
        rows = [
            {
                "id": uuid.UUID(f"{n:08x}-0000-4000-8000-{n:012x}"),  # the same in every run
                "questionnaire_id": "kompass",
                "questionnaire_version": "1",
                "status": statuses[n % len(statuses)],
                "needs_follow_up": n % 7 == 0,
                "mode": "kiosk",
                "locale": "ti",
                "locales_used": ["ti"],
                "full_name": f"Person {n:06d}",
                "person_key": f"2024{n:08d}",
                "permit_date": today - dt.timedelta(days=n % 40),
                "resume_failures": 0,
                "started_at": now,
                "updated_at": now,
            }
            for n in range(first, min(first + 1000, start + count))
        ]
        with db.connection() as connection:
            connection.execute(sa.insert(table), rows)
            if with_answers:
                connection.execute(
                    sa.insert(SQLModel.metadata.tables["answer"]),
                    [
                        {"record_id": row["id"], "path": path, "value": value,
                         "provenance": "self", "answered_at": now}
                        for row in rows
                        for path, value in (
                            ("full_name", row["full_name"]), ("birth_date", "1990-01-01"),
                            ("person_id", row["person_key"]),
                            ("permit_date", row["permit_date"].isoformat()),
                            ("mother_tongues", ["ti", "ar"]), ("has_work_experience", "yes"),
                            ("jobs[0].job_title", "Baker"), ("jobs[0].from_year", 2015),
                        )
                    ],
                )  # fmt: skip


def make_national_id(born: dt.date, *, d_number: bool = False, start: int = 100) -> str:
    """A valid national identity number (or D-number) for ``born``: its individual number
    (``start`` and up) in the range that gives ``born``'s century, so that 29.02.2000 is not
    read as 29.02.1900, which does not exist."""
    day = born.day + (40 if d_number else 0)
    if 1900 <= born.year <= 1999:
        low, high = 0, 500
    elif 2000 <= born.year <= 2039:
        low, high = 500, 1000
    elif 1854 <= born.year <= 1899:
        low, high = 500, 750
    else:
        raise ValueError(f"no national identity numbers for {born.year}")
    for individual in range(low + start, high):
        first_nine = f"{day:02d}{born.month:02d}{born.year % 100:02d}{individual:03d}"
        check = national_id_check_digits(first_nine)
        if check is not None:
            return first_nine + check
    raise AssertionError("no individual number gives valid check digits")
