"""Whole registrations at the kiosk, through the real app, checked field by field in the database."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from kompass_tui.exchange.records import without_derived
from kompass_tui.kiosk import app as app_module
from kompass_tui.kiosk.screens.guard import ApologyScreen, IdleScreen, PinScreen
from kompass_tui.storage import audit, records
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Status
from kompass_tui.widgets.crash import crash_log_path
from kompass_tui.wizard.screens.language import LanguageScreen
from kompass_tui.wizard.screens.receipt import ReceiptScreen
from kompass_tui.wizard.screens.resume import ResumeScreen
from kompass_tui.wizard.screens.section import SectionScreen
from kompass_tui.wizard.screens.summary import SummaryScreen
from tests.support.kiosk_pilot import (
    PIN,
    SIZE,
    add_entry,
    answered_without_schooling,
    checked,
    choose,
    click,
    error_of,
    finish_entry,
    make_app,
    next_step,
    open_resume,
    pick_language,
    press_button,
    reach,
    register_without_schooling,
    stored,
    tick,
    type_text,
    wait_for_screen,
)
from tests.support.odk import round_trip

#: Dawit's answers as stored, from the walk through every page or from the shortcut.
DAWIT = {
    "acknowledged": True, "full_name": "Dawit Haile", "birth_date": "2000-01-01",
    "person_id": "202412345678", "permit_date": "2026-11-10", "citizenship": "ER",
    "residence": "Mottak Nord", "mother_tongues": ["ti"], "mother_tongue_literacy": "a_little",
    "latin_literacy": "no", "has_other_languages": "no", "norwegian_level": "none",
    "years_school": 0, "years_higher_education": 0, "educations": [{"level": "none"}],
    "has_work_experience": "no",
    "has_driving_licence": "no", "digital_smartphone": "can", "digital_email": "cannot",
    "digital_forms": "cannot", "digital_text": "cannot", "digital_spreadsheets": "cannot",
    "has_courses": "no", "short_term_goals": ["norwegian", "work"],  # in the order chosen
    "long_term_goal": "Kjøre buss",
}  # fmt: skip


async def test_the_shortcut_to_the_summary_answers_as_the_walk_does(sqlite_db: Database) -> None:
    """Tests of what comes after the pages skip the walk (answered_without_schooling): what
    it stores is what the walk below stores, so those tests start where a person would."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "ti")
        await answered_without_schooling(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert app.registration is not None
        assert [error.path.name for error in app.registration.form.errors()] == ["confirmed"]
    assert stored(sqlite_db)[1] == DAWIT


async def test_no_schooling_no_work(sqlite_db: Database, tmp_path: Path) -> None:
    """Tigrinya speaker, no formal schooling, no work history, in Norwegian bokmål."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "nb")
        assert isinstance(app.screen, SectionScreen)
        assert "Steg 1 av 8" in str(app.screen.query_one("#where").render())
        await register_without_schooling(pilot)
        assert isinstance(app.screen, SummaryScreen)
        await tick(pilot, "confirmed")
        await press_button(pilot, "#next")
        assert isinstance(app.screen, ReceiptScreen)
        shown = " ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "Dawit" not in shown
        assert "2024" not in shown
        await press_button(pilot, "#finish")
        assert isinstance(app.screen, LanguageScreen)
        assert app.registration is None
    record, answers = stored(sqlite_db)
    assert record.status == Status.submitted
    assert record.locale == "nb"
    assert record.mode == "kiosk"
    assert answers == {**DAWIT, "confirmed": True}
    assert {row.provenance for row in records.answer_rows(sqlite_db, record.id)} == {"self"}
    # The same registration from a tablet (the instance ODK Collect would send, imported with
    # --from-odk) has the answers he typed here.
    collected = round_trip(tmp_path, answers, "nb")
    assert without_derived(collected["answers"]) == answers


async def test_stops_halfway_times_out_and_resumes(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "IDLE_WARNING_SECONDS", 1)
    # No idle time while she types (a busy machine can take a second for a step).
    app = make_app(sqlite_db, idle_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "nb")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", "Amina Yusuf")
        await type_text(pilot, "birth_date", "03.04.1996")
        assert app.registration is not None
        code = app.registration.resume_code
        assert code
        assert code[:4] in str(app.screen.query_one("#where").render())
        # the person walks away: first a warning, then the screen is cleared
        app.idle_seconds = 1
        await wait_for_screen(pilot, IdleScreen)
        await wait_for_screen(pilot, LanguageScreen)
        assert app.registration is None
        # nobody's data is left on screen
        assert "Amina" not in " ".join(
            str(w.render()) for w in app.screen.query("Static, Label, OptionList")
        )
        app.idle_seconds = 0
        # she comes back with her code and date of birth
        await open_resume(pilot, "nb")
        assert isinstance(app.screen, ResumeScreen)
        app.screen.query_one("#code", Input).focus()
        await pilot.press(*code.lower(), "enter")
        await pilot.press(*"03.04.1996", "enter")
        await checked(pilot)
        assert isinstance(app.screen, SectionScreen), app.screen
        # About you, at the first question still missing
        assert app.screen.index == 1
        assert app.screen.query("#q-person_id")
        assert app.registration is not None
        assert app.registration.form.get("full_name") == "Amina Yusuf"
        await type_text(pilot, "person_id", "2023 1111 2222")
    record, answers = stored(sqlite_db)
    assert record.status == Status.in_progress
    assert answers == {
        "acknowledged": True, "full_name": "Amina Yusuf", "birth_date": "1996-04-03",
        "person_id": "202311112222",
    }  # fmt: skip


async def test_wrong_resume_code_shows_nothing(sqlite_db: Database) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_resume(pilot, "nb")
        app.screen.query_one("#code", Input).focus()
        await pilot.press(*"AAAA-AAAA", "enter", *"01.01.1990", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        assert "passer ikke" in str(app.screen.query_one("#resume-error").render())


async def test_wrong_answer_is_shown_at_the_field_and_not_saved(sqlite_db: Database) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "en")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "birth_date", "31.02.1990")
        assert error_of(pilot, "birth_date") == "Date of birth: this date does not exist."
        await type_text(pilot, "birth_date", "28.02.1990")
        assert error_of(pilot, "birth_date") == ""
    _record, answers = stored(sqlite_db)
    assert answers["birth_date"] == "1990-02-28"


HOSTILE = "Hodan [/b] Ali [@click=app.quit]x[/] [link=https://example.org]y[/link]"


async def test_brackets_in_answers_are_shown_as_typed(sqlite_db: Database) -> None:
    """Square brackets are Textual markup: typed text must never be read as such (``[/b]``
    would stop the kiosk, ``[@click=…]`` would make an action of it)."""
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "en")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", HOSTILE)
        app.go_to(7)
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        shown = [str(widget.render()) for widget in app.screen.query(".summary-row")]
        assert any(HOSTILE in line for line in shown), shown
        assert app.is_running


async def test_a_long_answer_scrolls_inside_its_field(sqlite_db: Database) -> None:
    """The field does not grow with its text: the text scrolls so the cursor stays in view."""
    name = "Start" + "abcdefghij" * 12 + "XYZ"
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pick_language(pilot, "en")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        field = (await reach(pilot, "full_name")).query_one(Input)
        field.focus()
        await pilot.press(*name)
        await pilot.pause()
        assert field.scroll_x > 0
        assert "hijXYZ" in field.render_line(0).text
        assert "Start" not in field.render_line(0).text
        await pilot.press("home")
        await pilot.pause()
        assert field.scroll_x == 0
        assert "Start" in field.render_line(0).text
        await pilot.press("tab")
        await pilot.pause()
    _record, answers = stored(sqlite_db)
    assert answers["full_name"] == name


async def test_language_switch_keeps_answers(sqlite_db: Database) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "nb")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "full_name", "Selam")
        # typed but not yet confirmed: switching language confirms it first
        field = await reach(pilot, "residence")
        field.query_one(Input).focus()
        await pilot.press(*"Mottak")
        await pilot.press("f2")
        assert isinstance(app.screen, LanguageScreen)
        await pick_language(pilot, "en")
        assert isinstance(app.screen, SectionScreen)
        assert "About you" in str(app.screen.query_one("#where").render())
        assert str(app.screen.query_one("#q-residence .question-heading").render()).startswith(
            "Reception centre"
        )
        assert app.screen.query_one("#q-residence Input", Input).value == "Mottak"
        assert app.registration is not None
        assert app.registration.locale == "en"
    record, answers = stored(sqlite_db)
    assert answers["residence"] == "Mottak"
    assert answers["full_name"] == "Selam"
    assert record.locales_used == ["nb", "en"]


async def test_a_second_registration_of_the_same_person_is_refused(sqlite_db: Database) -> None:
    for attempt in range(2):
        app = make_app(sqlite_db)
        async with app.run_test(size=SIZE) as pilot:
            await pick_language(pilot, "en")
            await tick(pilot, "acknowledged")
            await next_step(pilot)
            await type_text(pilot, "person_id", "202012345678")
            message = error_of(pilot, "person_id")
            if attempt == 0:
                assert message == ""
            else:
                assert message == "You are already registered. Please ask the staff for help."


async def test_testing_number_after_number_is_slowed_down(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone at the kiosk types identity numbers to learn who is registered: after three
    "already registered" each try waits, said in the person's language, and the answer is the
    same whether the number is known or not. A restarted kiosk still waits: the count is in
    the audit log."""
    from kompass_tui.storage import backoff
    from kompass_tui.storage.models import Mode
    from kompass_tui.wizard.registration import ALREADY_REGISTERED
    from sporreskjema import load_builtin, translator

    # Longer than the first 5 s, so that a slow machine stays inside the wait.
    monkeypatch.setattr(backoff, "FIRST_WAIT_SECONDS", 60)
    registered = ["202400000001", "202400000002", "202400000003"]
    for key in registered:
        new = records.create_record(
            sqlite_db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="nb"
        )
        records.save_answer(
            sqlite_db, record_id=new.id, path="person_id", value=key, provenance="self"
        )

    def waits(locale: str) -> set[str]:
        """The message to wait, in ``locale``, for any seconds still left."""
        tr = translator(locale)
        return {
            tr.ngettext(
                "Please wait %(n)d second before you try again, or ask the staff for help.",
                "Please wait %(n)d seconds before you try again, or ask the staff for help.",
                n,
            )
            % {"n": n}
            for n in range(1, 61)
        }

    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "nb")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        for key in registered:
            await type_text(pilot, "person_id", key)
            assert error_of(pilot, "person_id") == translator("nb").gettext(ALREADY_REGISTERED)
        answers = []
        for key in [registered[0], "2024 9999 9991"]:  # known, and not known
            await type_text(pilot, "person_id", key)
            answers.append(error_of(pilot, "person_id"))
            assert answers[-1] in waits("nb")
        # the same answer, but for the seconds left
        assert re.sub(r"[0-9]+", "n", answers[0]) == re.sub(r"[0-9]+", "n", answers[1])
        assert app.registration is not None
        assert app.registration.form.get("person_id") is None
    # The kiosk starts again (or clears itself for the next person): the wait goes on.
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "uk")
        await tick(pilot, "acknowledged")
        await next_step(pilot)
        await type_text(pilot, "person_id", "2024 9999 9991")
        assert error_of(pilot, "person_id") in waits("uk")
        assert app.registration is not None
        assert app.registration.form.get("person_id") is None
    assert {record.person_key for record in records_of(sqlite_db)} == {*registered, None}
    known = audit.events(sqlite_db, action=audit.Action.identifier_known)
    assert len(known) == 3
    assert all(event.actor_id is None for event in known)


def records_of(db: Database) -> list[Any]:
    from sqlmodel import select

    from kompass_tui.storage.models import Record

    with db.session() as session:
        return list(session.exec(select(Record)))


@pytest.mark.parametrize("key", ["ctrl+q", "ctrl+c", "ctrl+p", "ctrl+z", "ctrl+backslash"])
async def test_leaving_needs_the_pin(sqlite_db: Database, key: str) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "en")
        await pilot.press(key)
        assert isinstance(app.screen, PinScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, SectionScreen)
        await pilot.press(key)
        await pilot.press(*"1111", "enter")
        assert isinstance(app.screen, PinScreen)
        assert app.is_running
        await pilot.press(*PIN, "enter")
        await pilot.pause()
    assert app.return_code == 0


async def test_an_unexpected_error_is_logged_not_shown(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug must not put a traceback (with someone's answers in it) on the kiosk screen, nor
    end the kiosk: the person gets an apology (tests/ui/test_kiosk_recovery.py has the rest)."""
    app = make_app(sqlite_db)

    def broken(self: object, path: str, raw: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("kompass_tui.wizard.registration.Registration.answer", broken)

    async with app.run_test(size=SIZE) as pilot:
        await pick_language(pilot, "en")
        await tick(pilot, "acknowledged")
        await wait_for_screen(pilot, ApologyScreen)
        assert app.is_running
    assert not app.return_code
    shown = capsys.readouterr()
    assert "Traceback" not in shown.err + shown.out
    log = crash_log_path().read_text("utf-8")
    assert "builtins.RuntimeError" in log
    assert oct(crash_log_path().stat().st_mode & 0o777) == "0o600"


async def test_a_job_emptied_in_the_middle_goes_and_the_next_moves_up(sqlite_db: Database) -> None:
    """Dawit, back with his code, lists three jobs, then clears the second and leaves it: it is
    gone, and the third, now second, takes his next answer as itself, not as a new half job."""
    from kompass_tui.wizard.registration import Registration

    begun = Registration(sqlite_db, locale="en")
    for path, raw in [("acknowledged", True), ("full_name", "Dawit Haile"),
                      ("birth_date", "01.01.2000"), ("person_id", "2024 1234 5678"),
                      ("permit_date", "10.11.2026"), ("citizenship", "ER"),
                      ("residence", "Mottak Nord"), ("mother_tongues", ["ti"]),
                      ("mother_tongue_literacy", "a_little"), ("latin_literacy", "no"),
                      ("has_other_languages", "no"), ("norwegian_level", "none"),
                      ("years_school", "0"), ("years_higher_education", "0")]:  # fmt: skip
        assert begun.answer(path, raw) is None
    begun.add_entry("educations")
    assert begun.answer("educations[0].level", "none") is None
    code = begun.resume_code
    assert code
    app = make_app(sqlite_db)
    async with app.run_test(size=SIZE) as pilot:
        await open_resume(pilot, "nb")
        app.screen.query_one("#code", Input).focus()
        await pilot.press(*code.lower(), "enter")
        await pilot.press(*"01.01.2000", "enter")
        await pilot.pause()
        await choose(pilot, "has_work_experience", "yes")
        for index, title in enumerate(["Baker", "Cook", "Driver"]):
            await add_entry(pilot, "jobs")
            await type_text(pilot, f"jobs[{index}].job_title", title)
            await finish_entry(pilot)
        jobs = await reach(pilot, "jobs")
        await click(pilot, next(b for b in jobs.query(".entry-edit") if b.name == "edit-1"))
        await type_text(pilot, "jobs[1].job_title", "")
        await finish_entry(pilot)
        jobs = await reach(pilot, "jobs")
        assert len(jobs.query(".entry-edit")) == 2
        await click(pilot, next(b for b in jobs.query(".entry-edit") if b.name == "edit-1"))
        await type_text(pilot, "jobs[1].from_year", "2015")
        await finish_entry(pilot)
    _record, answers = stored(sqlite_db)
    assert answers["jobs"] == [{"job_title": "Baker"}, {"job_title": "Driver", "from_year": 2015}]


async def test_a_refused_duplicate_is_in_kompass_audit_with_the_existing_record(
    sqlite_db: Database,
) -> None:
    """A second registration with a known DUF number, typed in Tigrinya at the kiosk: the
    person is told only to ask the staff, and `kompass audit` (and `kompass list`) shows the
    staff which record it was, where, and nothing that was typed."""
    import json

    from typer.testing import CliRunner

    from kompass_tui.cli import app as cli
    from kompass_tui.storage import accounts
    from kompass_tui.wizard.registration import ALREADY_REGISTERED
    from sporreskjema import translator

    ids = []
    for attempt, name in enumerate(["Selam Tesfay", "Someone Else"]):
        app = make_app(sqlite_db)
        async with app.run_test(size=SIZE) as pilot:
            await pick_language(pilot, "ti")
            await tick(pilot, "acknowledged")
            await next_step(pilot)
            await type_text(pilot, "full_name", name)
            await type_text(pilot, "person_id", "2020 1234 5678")
            message = error_of(pilot, "person_id")
            assert message == ("" if attempt == 0 else translator("ti").gettext(ALREADY_REGISTERED))
            assert app.registration is not None
            ids.append(str(app.registration.record_id))
    existing, attempt_id = ids
    assert existing not in message
    accounts.add_user(sqlite_db, username="kari", full_name="Kari", password="a long passphrase")

    def kompass(*args: str) -> str:
        result = CliRunner().invoke(
            cli,
            [*args, "--db", sqlite_db.url, "--user", "kari"],
            env={"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": "a long passphrase",
                 "COLUMNS": "200"},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return result.output

    (event,) = json.loads(kompass("audit", "--action", "duplicate_refused", "--json"))["events"]
    assert event["record_id"] == existing
    assert event["actor"] is None
    assert event["detail"]["mode"] == "kiosk"
    assert event["detail"]["attempt"] == attempt_id
    assert "Someone" not in json.dumps(event)
    assert "5678" not in json.dumps(event)
    table = kompass("audit", "--record", existing)
    assert "duplicate_refused" in table
    assert existing[:8] in table
    assert "mode=kiosk" in table
    listed = json.loads(kompass("list", "--refused-duplicates", "--json"))["records"]
    assert [(row["record_id"], row["refused_duplicates"]) for row in listed] == [(existing, 1)]
    assert "1 refused duplicate" in kompass("list", "--all")
