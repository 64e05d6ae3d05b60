"""`kompass list`, `show`, `remark`, `correct`, `status` and `audit` through Typer's runner, on
SQLite and on PostgreSQL: what a script sees, and the one-line errors it gets."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.storage import accounts, audit, records, review
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Mode, RemarkKind, Status
from sporreskjema import load_builtin
from sporreskjema.i18n import Translator, translator

PASSWORD = "a long passphrase"


@pytest.fixture
def record_id(db: Database) -> uuid.UUID:
    accounts.add_user(db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    new = records.create_record(db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="so")
    for path, value in {
        "full_name": "Hodan Ali", "person_id": "202499990000", "permit_date": "2026-11-01",
        "birth_date": "1990-05-17",
    }.items():  # fmt: skip
        records.save_answer(db, record_id=new.id, path=path, value=value, provenance="self")
    records.submit(db, record_id=new.id)
    return new.id


def run(db: Database, *args: str, password: str = PASSWORD) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--db", db.url, "--user", "kari"],
        env={"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": password, "COLUMNS": "120"},
    )
    return result.exit_code, result.output


def test_list_shows_the_deadline_and_finds_by_name(db: Database, record_id: uuid.UUID) -> None:
    code, output = run(db, "list")
    assert code == 0, output
    assert "Hodan Ali" in output
    late = (dt.date.today() - dt.date(2026, 11, 15)).days  # two weeks after the permit date
    assert f"sent {late} days late" in " ".join(output.split())  # submitted today
    assert str(record_id)[:8] in output
    code, output = run(db, "list", "--search", "nobody like this")
    assert (code, output.strip().splitlines()[-1]) == (0, "No records match.")
    code, output = run(db, "list", "--sort", "sideways")
    assert code == 2  # a usage error, before the login
    assert "--sort: 'sideways' is not one of: deadline, name, updated" in output


def test_show_remark_correct_status_and_audit(db: Database, record_id: uuid.UUID) -> None:
    short = str(record_id)[:8]
    code, output = run(db, "remark", short, "--section", "languages", "--text", "Also Arabic.")
    assert (code, output.strip()) == (0, f"The remark is added to record {record_id}.")
    code, output = run(db, "remark", short, "--counsellor", "--text", "Wants to be a nurse.")
    assert code == 0, output
    code, output = run(db, "correct", short, "birth_date", "18.05.1990", "--reason", "Passport")
    assert (code, output.strip()) == (0, f"The answer is corrected in record {record_id}.")
    code, output = run(db, "status", short, "reviewed", "--follow-up")
    assert code == 0, output
    assert "is now reviewed" in output
    assert "needs follow-up" in output
    code, output = run(db, "show", short)
    assert code == 0, output
    for expected in ["Hodan Ali", "Status: reviewed", "Needs follow-up: Yes", "Languages",
                     "Also Arabic.", "Career counsellor's note", "Wants to be a nurse.",
                     "May 17, 1990 → May 18, 1990", "Reason: Passport", "Answered in: Somali (so)",
                     "[The person alone]", "[Entered by a caseworker, in the review]"]:  # fmt: skip
        assert expected in output, expected
    view = review.load_view(db, record_id)
    assert [r.kind for r in view.remarks] == [RemarkKind.remark, RemarkKind.counsellor_note]
    assert view.record.status == Status.reviewed
    code, output = run(db, "audit", "--record", short)
    assert code == 0, output
    for action in ["record_viewed", "status_changed", "follow_up_changed", "answer_corrected",
                   "remark_added", "record_submitted"]:  # fmt: skip
        assert action in output, action
    assert "kari" in output


def test_clear_errors_for_wrong_records_sections_transitions_and_passwords(
    db: Database, record_id: uuid.UUID
) -> None:
    short = str(record_id)[:8]
    cases = [
        (("show", "00000000-0000-4000-8000-00000000dead"), "Error: There is no record"),
        (("show", "zz"), "Error: There is no record zz."),
        (("remark", short, "--section", "hobbies", "--text", "x"), "There is no section 'hobbies'"),
        (("remark", short, "--text", "   "), "Error: A remark needs some text."),
        (
            ("status", short, "exported"),
            "cannot become exported, only reviewed or sent back for clarification.",
        ),
        (("status", short), "Error: Give a new status, --follow-up, --no-follow-up or --settled."),
        (
            ("correct", short, "birth_date", "31.02.1990", "--reason", "x"),
            "this date does not exist",
        ),
        (("correct", short, "hobby", "x", "--reason", "x"), "There is no question 'hobby'"),
        (("correct", short, "jobs[3].job_title", "x", "--reason", "x"), "There is no question"),
        (("audit", "--action", "dancing"), "--action: 'dancing' is not one of: login, "),
    ]
    for args, words in cases:
        code, output = run(db, *args)
        assert code != 0, args
        assert words in output, (args, output)
        assert "Traceback" not in output
    code, output = run(db, "list", password="wrong password")
    assert code == 1
    assert output.strip().splitlines()[-1].startswith("Error: ")
    assert audit.events(db, action=audit.Action.login_failed)
    assert records.get_record(db, record_id).status == Status.submitted  # nothing changed


@dataclass(frozen=True)
class Row:
    """What the deadline is told from, as a row of the list holds it."""

    permit_date: dt.date | None
    status: str = Status.in_progress
    submitted_at: dt.datetime | None = None


def test_the_last_day_of_the_deadline_says_due_today(en: Translator, nb: Translator) -> None:
    from kompass_tui.record_view import deadline_text

    permit = Row(dt.date(2026, 11, 13))  # the deadline is two weeks later: 27 November
    day = dt.timedelta(days=1)
    assert deadline_text(permit, dt.date(2026, 11, 26), en) == "1 day left"
    assert deadline_text(permit, dt.date(2026, 11, 27), en) == "due today"
    assert deadline_text(permit, dt.date(2026, 11, 27), nb) == "frist i dag"
    assert deadline_text(permit, dt.date(2026, 11, 27) + day, en) == "overdue by 1 day"
    assert deadline_text(Row(None), dt.date(2026, 11, 27), en) == "no permit date"


@pytest.mark.parametrize("locale", ["nb", "uk", "ar", "ti"])
def test_a_sent_record_says_whether_it_was_sent_in_time(locale: str) -> None:
    """Once sent, the deadline says whether the first sending was in time, the same on any
    later day and whatever became of the record (a printed or archived record is read long
    after); until then, the days left or past, as ``kompass stats`` counts them."""
    from kompass_tui.record_view import deadline_text, status_text

    tr = translator(locale)
    permit = dt.date(2026, 11, 13)  # due 27 November
    on_time = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)
    late = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    for today in (dt.date(2026, 11, 30), dt.date(2027, 6, 1)):
        for status in (Status.submitted, Status.sent_back, Status.reviewed, Status.exported):
            assert deadline_text(Row(permit, status, on_time), today, tr) == tr.gettext(
                "sent in time"
            )
            assert deadline_text(Row(permit, status, late), today, tr) == (
                tr.ngettext("sent %(n)d day late", "sent %(n)d days late", 3) % {"n": 3}
            )
            assert not review.overdue(permit, status, today)
            # Sent, but when is not known (imported so): the status, no count.
            assert deadline_text(Row(permit, status), today, tr) == status_text(status, tr)
    assert tr.gettext("sent in time") != "sent in time"  # translated
    # Not sent yet: counted from today, and overdue once past.
    assert deadline_text(Row(permit), dt.date(2026, 11, 30), tr) == (
        tr.ngettext("overdue by %(n)d day", "overdue by %(n)d days", 3) % {"n": 3}
    )
    assert review.overdue(permit, Status.in_progress, dt.date(2026, 11, 30))
    assert not review.overdue(permit, Status.in_progress, dt.date(2026, 11, 27))


def test_the_list_says_a_sent_record_was_sent_late_not_overdue(
    db: Database, record_id: uuid.UUID
) -> None:
    """Sent today (the fixture), its permit from 1 November: sent late, and not in red."""
    code, output = run(db, "list", "--json")
    assert code == 0, output
    (row,) = json.loads(output)["records"]
    assert row["overdue"] is False
    code, output = run(db, "list")
    shown = " ".join(output.split())
    late = (dt.date.today() - dt.date(2026, 11, 15)).days  # due 15 November
    assert f"sent {late} days late" in shown
    assert "overdue" not in shown


def test_show_says_where_each_answer_was_given(db: Database, record_id: uuid.UUID) -> None:
    """Begun at a kiosk, continued at the desk: `kompass show` says beside who gave each
    answer where it was given, and `--json` has it as the export does (``places``)."""
    import json

    new = records.create_record(db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="ti")
    records.save_answer(
        db, record_id=new.id, path="full_name", value="Selam Tesfay", provenance="self",
        kiosk="kiosk-1",
    )  # fmt: skip
    records.save_answer(
        db, record_id=new.id, path="residence", value="Oslo", provenance="interpreter",
        place="desk",
    )  # fmt: skip
    code, output = run(db, "show", str(new.id))
    assert code == 0, output
    lines = [" ".join(line.split()) for line in output.splitlines()]
    assert any("Selam Tesfay" in line and "at a kiosk]" in line for line in lines), output
    assert any("Oslo" in line and "at the desk]" in line for line in lines), output
    code, output = run(db, "show", str(new.id), "--json")
    assert json.loads(output)["places"] == {"full_name": "kiosk", "residence": "desk"}
