"""Records for the review's overview: made across about seven months before ``TODAY``, in
five languages, with every status the review moves records through, both modes and a few
education levels; and what the overview must count, worked out from the people themselves
(never from the database)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import SQLModel

from kompass_tui.storage import accounts
from kompass_tui.storage.database import Database
from kompass_tui.storage.review import DEADLINE_DAYS
from kompass_tui.storage.stats import Period
from tests.support.helpers import TODAY
from tests.support.review import PASSWORD

STATUSES = ("in_progress", "submitted", "reviewed", "exported")
LOCALES = ("ti", "ar", "uk", "fa_AF", "so")
#: The mother tongue of someone who answered in each locale.
TONGUES = {"ti": "ti", "ar": "ar", "uk": "uk", "fa_AF": "prs", "so": "so"}
LEVELS = ("primary", "upper_secondary", "bachelor")


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    begun: dt.date
    status: str
    locale: str
    mode: str
    interpreter: bool | None
    permit: dt.date | None
    level: str | None

    def overdue(self, days: int = DEADLINE_DAYS) -> bool:
        """Still in progress, and the survey's deadline (``days`` after the permit) has passed
        on ``TODAY``."""
        return (
            self.status == "in_progress"
            and self.permit is not None
            and self.permit + dt.timedelta(days=days) < TODAY
        )


def people() -> list[Person]:
    """Forty-two people, one begun every five days back from ``TODAY``; Tigrinya most often
    at the start, so that the last weeks and the whole time differ in what comes first."""
    made = []
    for n in range(42):
        begun = TODAY - dt.timedelta(days=n * 5)
        locale = LOCALES[0] if n < 8 else LOCALES[n % 5]
        assisted = n % 3 == 0
        made.append(
            Person(
                id=uuid.UUID(f"0c0e0000-0000-4000-8000-{n:012d}"),
                begun=begun,
                status=STATUSES[n % 4],
                locale=locale,
                mode="assisted" if assisted else "kiosk",
                interpreter=(n % 2 == 0) if assisted else None,
                permit=None if n % 11 == 10 else begun - dt.timedelta(days=n % 9),
                level=LEVELS[n % 3] if n % 2 else None,
            )
        )
    return made


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 30), tzinfo=dt.UTC)


def store(db: Database, made: list[Person]) -> None:
    """The people as records with their answers, and Kari, who logs in to the review."""
    accounts.add_user(db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    record, answer = (SQLModel.metadata.tables[name] for name in ("record", "answer"))
    with db.connection() as connection:
        for n, person in enumerate(made):
            sent = person.status != "in_progress"
            connection.execute(
                sa.insert(record).values(
                    id=person.id, questionnaire_id="kompass", questionnaire_version="2",
                    status=person.status, needs_follow_up=False, mode=person.mode,
                    locale=person.locale, locales_used=[person.locale],
                    interpreter_used=person.interpreter, permit_date=person.permit,
                    full_name=f"Person {n:02d}", person_key=f"2024{n:08d}",
                    resume_failures=0, started_at=_at(person.begun),
                    updated_at=_at(person.begun),
                    submitted_at=_at(person.begun + dt.timedelta(days=n % 20)) if sent else None,
                )
            )  # fmt: skip
            rows = [{"path": "mother_tongues", "value": [TONGUES[person.locale]]}]
            if person.level is not None:
                rows.append({"path": "educations[0].level", "value": person.level})
            connection.execute(
                sa.insert(answer),
                [
                    {**row, "record_id": person.id, "provenance": "self",
                     "answered_at": _at(person.begun)}
                    for row in rows
                ],
            )  # fmt: skip


def begun_in(made: list[Person], period: Period) -> list[Person]:
    return [
        person
        for person in made
        if (period.first is None or person.begun >= period.first)
        and (period.last is None or person.begun <= period.last)
    ]
