"""The municipality's deadlines: the career guidance's month arithmetic, the cut-off days the
figures count by (checked day by day against the deadline itself), and ``kompass deadlines``
setting them for the list, the record and the figures alike, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.storage import accounts, audit, records, review
from kompass_tui.storage import deadlines as municipal
from kompass_tui.storage.database import Database
from kompass_tui.storage.deadlines import DeadlineError, Deadlines
from sporreskjema import Questionnaire

PASSWORD = "a long passphrase"


@pytest.mark.parametrize(
    ("settled", "months", "due"),
    [
        (dt.date(2026, 1, 15), 3, dt.date(2026, 4, 15)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),  # no 30 February: its last day
        (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),  # a leap year's
        (dt.date(2026, 10, 31), 2, dt.date(2026, 12, 31)),
        (dt.date(2026, 12, 1), 24, dt.date(2028, 12, 1)),
    ],
)
def test_the_guidance_is_due_months_after_settlement(
    settled: dt.date, months: int, due: dt.date
) -> None:
    assert Deadlines(guidance_months=months).guidance_due(settled) == due
    assert Deadlines().guidance_due(None) is None


@pytest.mark.parametrize("months", [1, 3, 7])
@pytest.mark.parametrize("today", [dt.date(2026, 5, 31), dt.date(2027, 3, 1), dt.date(2028, 2, 29)])
def test_the_cut_off_days_agree_with_the_deadlines_day_by_day(months: int, today: dt.date) -> None:
    """What the figures count in the database (a settlement or permit date before a day) is
    exactly what the deadline says, for every day of two years around ``today``."""
    rules = Deadlines(survey_days=10, guidance_months=months)
    guidance_cut, survey_cut = rules.guidance_late_before(today), rules.survey_late_before(today)
    day = today - dt.timedelta(days=400)
    while day < today + dt.timedelta(days=300):
        guidance_due, survey_due = rules.guidance_due(day), rules.survey_due(day)
        assert guidance_due is not None
        assert survey_due is not None
        assert (guidance_due < today) == (day < guidance_cut), day
        assert (survey_due < today) == (day < survey_cut), day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"survey_days": 0}, "1 to 365 days"),
        ({"survey_days": 366}, "1 to 365 days"),
        ({"guidance_months": 0}, "1 to 24 months"),
        ({"guidance_months": 25}, "1 to 24 months"),
    ],
)
def test_a_deadline_out_of_reason_is_refused(given: dict[str, int], words: str) -> None:
    with pytest.raises(DeadlineError) as caught:
        Deadlines(**given)
    assert words in caught.value.message.msgid % caught.value.message.params


def run(db: Database, *args: str, user: str = "kari") -> Any:
    env = {"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": PASSWORD, "KOMPASS_USER": user}
    return CliRunner().invoke(app, [*args, "--db", db.url], env=env)


def test_the_municipality_sets_its_deadlines_and_everything_reckons_by_them(
    db: Database, kompass: Questionnaire
) -> None:
    admin = accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    accounts.add_user(db, username="ola", full_name="Ola", password=PASSWORD)
    assert admin.id is not None
    new = records.create_record(db, questionnaire=kompass, mode="kiosk", locale="uk")
    today = dt.date.today()
    records.save_answer(
        db,
        record_id=new.id,
        path="permit_date",
        value=(today - dt.timedelta(days=12)).isoformat(),
        provenance="self",
    )
    review.set_settlement_date(
        db, record_id=new.id, actor_id=admin.id, settlement_date=today - dt.timedelta(days=40)
    )

    def listed() -> dict[str, Any]:
        result = run(db, "list", "--json")
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.stdout)["records"]
        return dict(row)

    def overdue() -> tuple[int, int]:
        result = run(db, "stats", "--json")
        assert result.exit_code == 0, result.output
        figures = json.loads(result.stdout)
        return figures["deadline"]["overdue_now"], figures["career_guidance"]["overdue_now"]

    shown = run(db, "deadlines", user="ola")  # anyone logged in may see them
    assert shown.exit_code == 0, shown.output
    assert "due 14 days after the residence permit" in shown.output
    assert "due 3 months after settlement" in shown.output
    row = listed()
    assert (row["days_left"], row["overdue"], row["guidance_days_left"]) == (
        2,
        False,
        (Deadlines().guidance_due(today - dt.timedelta(days=40)) - today).days,  # type: ignore[operator]
    )
    assert overdue() == (0, 0)

    refused = run(db, "deadlines", "--survey-days", "10", user="ola")
    assert refused.exit_code == 1
    assert "only an administrator can set the deadlines" in refused.output
    assert municipal.load(db) == Deadlines()
    bad = run(db, "deadlines", "--guidance-months", "30")
    assert bad.exit_code == 1
    assert "1 to 24 months" in bad.output

    result = run(db, "deadlines", "--survey-days", "10", "--guidance-months", "1")
    assert result.exit_code == 0, result.output
    assert municipal.load(db) == Deadlines(survey_days=10, guidance_months=1)
    row = listed()
    assert (row["days_left"], row["overdue"]) == (-2, True)
    assert row["guidance_days_left"] < 0
    assert overdue() == (1, 1)
    assert review.load_view(db, new.id).deadlines == Deadlines(10, 1)
    (event,) = audit.events(db, action=audit.Action.settings_changed)
    assert event.actor_id == admin.id
    assert event.detail["new"] == {"survey_days": 10, "guidance_months": 1}
