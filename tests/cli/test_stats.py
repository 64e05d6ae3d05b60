"""``kompass stats``: records made across several months, languages, modes and statuses, on
SQLite and PostgreSQL; every figure of ``--json`` is checked against a count the test makes
itself from the people it made (never from the database), for the whole time, a period and a
status filter. ``--csv`` says the same; the table speaks the user's language."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import statistics
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.storage.database import Database
from kompass_tui.storage.review import DEADLINE_DAYS
from sporreskjema import translator
from tests.support.exchange import PASSWORD, caseworker

TODAY = dt.date.today()


@dataclass(frozen=True)
class Person:
    begun: dt.date
    status: str
    locale: str
    mode: str
    interpreter: bool | None
    permit: dt.date | None
    #: Days from the permit to sending (``None``: not sent).
    sent_after: int | None
    mother_tongues: Any
    levels: tuple[str, ...]
    #: Sent back for clarification once (its status may have moved on since).
    was_sent_back: bool = False
    settled: dt.date | None = None

    @property
    def sent(self) -> dt.date | None:
        if self.sent_after is None:
            return None
        start = self.permit or self.begun
        return start + dt.timedelta(days=self.sent_after)


LOCALES = ["ti", "ar", "uk", "fa_AF", "nb"]
STATUSES = ["in_progress", "submitted", "reviewed", "exported"]
LEVELS = ["none", "primary", "upper_secondary", "bachelor", "master"]


def people() -> list[Person]:
    """Sixty people over about five months before today: a spread of everything counted."""
    made = []
    for n in range(60):
        begun = TODAY - dt.timedelta(days=150 - n * 2 - (n % 3))
        status = STATUSES[n % 4]
        permit = None if n % 11 == 0 else begun - dt.timedelta(days=n % 9)
        sent_after = None if status == "in_progress" else (n * 7) % 30
        tongues: Any = [LOCALES[n % 5]] if n % 4 else [LOCALES[n % 5], "en"]
        if n % 13 == 0:
            tongues = "so"  # a single code, as a row written some other way may hold it
        was_sent_back = status in ("submitted", "reviewed") and n % 3 == 1
        if was_sent_back and n % 2:
            status = "sent_back"
        # Settled from about four months ago to a few days ago: some guidance overdue, some due.
        settled = TODAY - dt.timedelta(days=n * 2 + 3) if n % 3 != 2 else None
        made.append(
            Person(
                begun=begun,
                status=status,
                locale=LOCALES[(n * 2) % 5],
                mode="assisted" if n % 3 == 0 else "kiosk",
                interpreter=(n % 2 == 0) if n % 3 == 0 else None,
                permit=permit,
                sent_after=sent_after,
                mother_tongues=tongues,
                levels=tuple(LEVELS[(n + i) % 5] for i in range(n % 3)),
                was_sent_back=was_sent_back,
                settled=settled,
            )
        )
    # Due today (not overdue yet) and due yesterday (overdue), begun today.
    for days in (DEADLINE_DAYS, DEADLINE_DAYS + 1):
        made.append(
            Person(TODAY, "in_progress", "ti", "kiosk", None, TODAY - dt.timedelta(days=days),
                   None, ["ti"], ())
        )  # fmt: skip
    return made


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 30), tzinfo=dt.UTC)


def store(db: Database, made: list[Person], author: int) -> None:
    record, answer, remark = (
        SQLModel.metadata.tables[name] for name in ("record", "answer", "remark")
    )
    purged = SQLModel.metadata.tables["purged_count"]
    with db.connection() as connection:
        for person in made:
            record_id = uuid.uuid4()
            connection.execute(
                sa.insert(record).values(
                    id=record_id, questionnaire_id="kompass", questionnaire_version="2",
                    status=person.status, needs_follow_up=False, mode=person.mode,
                    locale=person.locale, locales_used=[person.locale],
                    interpreter_used=person.interpreter, permit_date=person.permit,
                    resume_failures=0, started_at=_at(person.begun),
                    updated_at=_at(person.begun),
                    submitted_at=_at(person.sent) if person.sent else None,
                    settlement_date=person.settled,
                )
            )  # fmt: skip
            if person.was_sent_back:
                connection.execute(
                    sa.insert(remark).values(
                        record_id=record_id, kind="sent_back", text="Which school?",
                        author_id=author, created_at=_at(TODAY),
                    )
                )  # fmt: skip
            rows = [{"path": "mother_tongues", "value": person.mother_tongues}]
            rows += [
                {"path": f"educations[{i}].level", "value": level}
                for i, level in enumerate(person.levels)
            ]
            connection.execute(
                sa.insert(answer),
                [
                    {**row, "record_id": record_id, "provenance": "self", "answered_at": _at(TODAY)}
                    for row in rows
                ],
            )
        connection.execute(
            sa.insert(purged),
            [
                {"month": "2025-01", "status": "exported", "locale": "ti", "mode": "kiosk",
                 "records": 7, "purged_at": _at(TODAY)},
                {"month": "2025-02", "status": "in_progress", "locale": "ar", "mode": "kiosk",
                 "records": 2, "purged_at": _at(TODAY)},
            ],
        )  # fmt: skip


def counted(made: list[Person], first: dt.date | None = None, last: dt.date | None = None,
            statuses: tuple[str, ...] = ()) -> dict[str, Any]:  # fmt: skip
    """What the figures must be, counted from the people themselves."""
    chosen = [
        p
        for p in made
        if (first is None or p.begun >= first)
        and (last is None or p.begun <= last)
        and (not statuses or p.status in statuses)
    ]

    def tally(values: list[Any]) -> dict[str, int]:
        out: dict[str, int] = {}
        for value in values:
            out[str(value)] = out.get(str(value), 0) + 1
        return out

    waits = [p.sent_after for p in chosen if p.sent_after is not None and p.permit is not None]
    weeks = tally(f"{p.begun.isocalendar()[0]}-W{p.begun.isocalendar()[1]:02d}" for p in chosen)  # type: ignore[arg-type]
    tongues = [
        code for p in chosen if isinstance(p.mother_tongues, list) for code in p.mother_tongues
    ]
    overdue = [
        p
        for p in chosen
        if p.status == "in_progress"
        and p.permit is not None
        and p.permit + dt.timedelta(days=DEADLINE_DAYS) < TODAY
    ]

    def guidance_due(settled: dt.date) -> dt.date:  # three months on, or the month's end
        month = settled.month + 3
        year, month = settled.year + (month - 1) // 12, (month - 1) % 12 + 1
        return settled.replace(
            year=year, month=month, day=min(settled.day, calendar.monthrange(year, month)[1])
        )

    still_here = [p for p in chosen if p.settled is not None and p.status != "exported"]
    guidance_left = [(guidance_due(p.settled) - TODAY).days for p in still_here if p.settled]
    interpreter = {"yes": 0, "no": 0, "unknown": 0}
    for p in chosen:
        interpreter["unknown" if p.interpreter is None else "yes" if p.interpreter else "no"] += 1
    within = sum(1 for w in waits if w <= DEADLINE_DAYS)
    return {
        "records": len(chosen),
        "by_status": tally([p.status for p in chosen]),
        "by_week": dict(sorted(weeks.items())),
        "deadline": {
            "sent_with_permit_date": len(waits),
            "median_days_from_permit_to_sent": float(statistics.median(waits)) if waits else None,
            "sent_within_deadline": within,
            "share_within_deadline": round(within / len(waits), 4) if waits else None,
            "overdue_now": len(overdue),
            "deadline_days": DEADLINE_DAYS,
        },
        "sent_back": sum(1 for p in chosen if p.was_sent_back),
        "career_guidance": {
            "deadline_months": 3,
            "with_settlement_date": sum(1 for p in chosen if p.settled is not None),
            "overdue_now": sum(1 for left in guidance_left if left < 0),
            "due_within_28_days": sum(1 for left in guidance_left if 0 <= left < 28),
        },
        "mother_tongues": tally(tongues),
        "answered_in": tally([p.locale for p in chosen]),
        "education_levels": tally([level for p in chosen for level in p.levels]),
        "modes": tally([p.mode for p in chosen]),
        "interpreter": interpreter,
        "purged": {"records": 9, "exported": 7, "in_progress": 2},
    }


def kompass(db: Database, *args: str, locale: str = "en") -> Any:
    env = {"KOMPASS_LOCALE": locale, "KOMPASS_PASSWORD": PASSWORD, "KOMPASS_USER": "kari"}
    return CliRunner().invoke(app, ["stats", "--db", db.url, *args], env=env)


@pytest.fixture
def made(db: Database) -> list[Person]:
    author = caseworker(db)
    found = people()
    store(db, found, author)
    return found


def _figures(db: Database, *args: str) -> dict[str, Any]:
    result = kompass(db, "--json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {key: value for key, value in data.items() if key not in ("period", "statuses", "today")}


def test_every_figure_matches_a_count_made_apart(db: Database, made: list[Person]) -> None:
    assert _figures(db) == counted(made)


def test_a_period_and_a_status_filter(db: Database, made: list[Person]) -> None:
    first, last = TODAY - dt.timedelta(days=100), TODAY - dt.timedelta(days=40)
    args = ("--from", first.isoformat(), "--to", last.isoformat())
    assert _figures(db, *args) == counted(made, first, last)
    statuses = ("submitted", "reviewed")
    filtered = _figures(db, *args, "--status", "submitted", "--status", "reviewed")
    assert filtered == counted(made, first, last, statuses)
    assert 0 < filtered["records"] < len(made)


def test_csv_says_what_json_says(db: Database, made: list[Person]) -> None:
    result = kompass(db, "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = counted(made)
    by_figure: dict[str, dict[str, str]] = {}
    for row in rows:
        by_figure.setdefault(row["figure"], {})[row["key"]] = row["value"]
    assert by_figure["records"][""] == str(expected["records"])
    for family in ("by_status", "by_week", "mother_tongues", "modes", "interpreter"):
        assert by_figure[family] == {k: str(v) for k, v in expected[family].items()}, family
    assert by_figure["deadline"]["overdue_now"] == str(expected["deadline"]["overdue_now"])


@pytest.mark.parametrize("locale", ["nb", "uk", "ar", "ti"])
def test_the_table_speaks_the_users_language(sqlite_db: Database, locale: str) -> None:
    store(sqlite_db, people()[:12], caseworker(sqlite_db))
    result = kompass(sqlite_db, locale=locale)
    assert result.exit_code == 0, result.output
    tr = translator(locale)
    for title in ("Sent back for clarification", "Mother tongues", "Overdue now (not sent)"):
        assert tr.gettext(title) in result.output, title
    heading = tr.gettext("The survey's deadline: %(days)d days after the permit") % {"days": 14}
    assert heading in result.output
    assert "Traceback" not in result.output


def test_to_before_from_is_refused(sqlite_db: Database) -> None:
    caseworker(sqlite_db)
    result = kompass(sqlite_db, "--from", "2026-05-01", "--to", "2026-04-01")
    assert result.exit_code == 1
    assert "--to is before --from." in result.output


def test_the_readme_lists_the_keys(db: Database, made: list[Person]) -> None:
    """The fixed keys (not the codes that are data: statuses, weeks, languages) are in the
    README's table of JSON outputs."""
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    (row,) = [line for line in readme.splitlines() if line.startswith("| `kompass stats --json` |")]
    listed = set(re.findall(r'"(\w+)"', row.split("|")[2]))
    result = kompass(db, "--json")
    data = json.loads(result.stdout)
    fixed = set(data) | set(data["period"]) | set(data["deadline"]) | set(data["career_guidance"])
    assert fixed == listed


def test_html_writes_the_figures_with_their_charts(sqlite_db: Database, tmp_path: Path) -> None:
    store(sqlite_db, people(), caseworker(sqlite_db))
    out = tmp_path / "overview.html"
    result = kompass(sqlite_db, "--html", str(out), locale="uk")
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert out.stat().st_mode & 0o777 == 0o600
    assert page.count("<svg") >= 2
    assert translator("uk").gettext("Sent back for clarification") in page
    assert "<script" not in page
    refused = kompass(sqlite_db, "--html", str(tmp_path / "no" / "such" / "folder.html"))
    assert refused.exit_code == 1
    assert "Cannot write" in refused.output
    assert "Traceback" not in refused.output
