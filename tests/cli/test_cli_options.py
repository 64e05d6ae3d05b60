"""The command line's options as a script meets them, through Typer's runner: choices and days
refused in the user's language with exit code 2, ``--json`` that any program can read whatever
the stored text holds, and one way of opening the database in every command."""

from __future__ import annotations

import ast
import datetime as dt
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer
from jsonschema import Draft202012Validator
from sqlmodel import SQLModel
from typer.testing import CliRunner, Result

from kompass_tui.cli import app, options
from kompass_tui.exchange import export as exporting
from kompass_tui.exchange.records import Selection, schema
from kompass_tui.storage import accounts, audit, purge, records, review
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Mode, RemarkKind, Status
from kompass_tui.widgets import bidi
from sporreskjema import load_builtin, translator

PASSWORD = "a long passphrase"
CLI = Path(__file__).resolve().parents[2] / "kompass_tui" / "cli"
#: Stored text a program must get back exactly: quotes, a backslash, line breaks, a tab, an
#: escape sequence, a C1 control, bidi marks and an override, the line separator, markup.
AWKWARD = (
    'Hodan "Ali" \\ O\'Brien\nsecond line\r\tx\x1b[2J\x9b31m \u200fعلي\u200e \u202eilA\u202c'
    "\u2028[/b] [link=https://evil.example]x[/link]"
)
#: What a terminal or a bidi-aware viewer would act on: never raw in what is printed.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def kompass(*args: str, locale: str = "en", password: str = PASSWORD) -> Result:
    """The command as a script runs it; a crash fails the test with its exception."""
    result = CliRunner().invoke(
        app,
        list(args),
        env={"KOMPASS_LOCALE": locale, "KOMPASS_PASSWORD": password, "COLUMNS": "120"},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: crashed with {result.exception!r}") from result.exception
    return result


def logged_in(db: Database, *args: str, locale: str = "en") -> Result:
    return kompass(*args, "--db", db.url, "--user", "kari", locale=locale)


# ---------------------------------------------------------------- choices and days


def test_the_command_line_s_choices_are_those_of_storage_and_export() -> None:
    """The options offer the storage's and the export's own enums, and the command line that
    offers them loads neither the database code nor the export (Typer builds every option each
    time ``kompass`` starts, the kiosk too)."""
    assert (options.Format, options.Sort, options.Action) == (
        exporting.Format,
        review.Sort,
        audit.Action,
    )
    heavy = ("alembic", "kompass_tui.storage.database", "kompass_tui.exchange.export")
    script = (
        f"import sys\nimport kompass_tui.cli\nprint([m for m in {heavy!r} if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr


def _parameters() -> list[tuple[str, Any]]:
    """Every parameter of every command, with the command's name."""
    found: list[tuple[str, Any]] = []

    def walk(command: Any, name: str) -> None:
        for param in command.params:
            found.append((name, param))
        for sub_name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{name} {sub_name}".strip())

    walk(typer.main.get_command(app), "")
    return found


def test_every_choice_is_an_enum_parsed_in_the_user_s_language() -> None:
    """A new choice option that forgets ``parser=choice(...)`` would say a bad value in
    English words around it: this finds it. And no option takes a choice as plain text."""
    choices = [(name, param) for name, param in _parameters() if param.type_descriptor.is_choice]
    names = {(name, param.name) for name, param in choices}
    for expected in [("export", "fmt"), ("list", "sort"), ("audit", "action"),
                     ("list", "status"), ("export", "status"), ("purge", "status"),
                     ("status", "new_status"), ("export", "delimiter")]:  # fmt: skip
        assert expected in names, expected
    for name, param in choices:
        assert param.type_descriptor.parameter_info.parser is not None, (name, param.name)
    # and a good value gets through: the desk goes on to its next check
    result = kompass("assist", "--bidi", "terminal", "--language", "zz")
    assert result.exit_code == 1
    assert "There is no language zz." in result.stderr
    # A refused command leaves the process's bidi mode alone: Arabic is still shaped by Kompass.
    assert bidi.visual("سلام") != "سلام"


def _unlike(text: str) -> re.Pattern[str]:
    return re.compile(r"\s+".join(re.escape(word) for word in text.split()))


BAD_VALUES = [
    (("list", "--sort", "sideways"), "--sort", "sideways", "deadline, name, updated"),
    (("list", "--status", "lost"), "--status", "lost", "in_progress, submitted, reviewed"),
    (
        ("export", "--format", "docx", "--out", "x"),
        "--format",
        "docx",
        "json, jsonl, csv, html, pdf",
    ),
    (("audit", "--action", "dancing"), "--action", "dancing", "answer_corrected"),
    (("status", "12345678", "lost"), "STATUS", "lost", "in_progress, submitted"),
    (("purge", "--counts", "--status", "gone"), "--status", "gone", "exported"),
    (("export", "--format", "csv", "--out", "x", "--delimiter", "|"), "--delimiter", "|", ";"),
    (("kiosk", "--bidi", "sideways"), "--bidi", "sideways", "app, terminal, off"),
    (("assist", "--bidi", "sideways"), "--bidi", "sideways", "app, terminal, off"),
]


@pytest.mark.parametrize("locale", ["en", "nb", "uk"])
@pytest.mark.parametrize(("args", "option", "value", "allowed"), BAD_VALUES)
def test_a_bad_choice_is_a_usage_error_in_the_user_s_language(
    args: tuple[str, ...], option: str, value: str, allowed: str, locale: str
) -> None:
    """Before anything is opened or asked: exit code 2, the option, the value and the
    choices, in the user's language (no database, no login prompt)."""
    result = kompass(*args, locale=locale)
    assert result.exit_code == 2, result.output
    said = translator(locale).gettext("'%(value)s' is not one of: %(allowed)s")
    before, after = said.split("%(value)s")
    assert before.startswith("'") or locale != "en"
    message = " ".join(result.stderr.split())
    assert f"{option}: {before}{value}{after.split('%(allowed)s')[0]}" in message, message
    assert allowed in message
    assert "Invalid value" not in message  # Typer's English words are not around it
    assert "Traceback" not in result.output


@pytest.mark.parametrize("locale", ["en", "nb", "ar"])
@pytest.mark.parametrize("bad", ["2026-02-30", "20260101", "2026-1-5", "yesterday", "٢٠٢٦-٠١-٠١"])
def test_a_bad_day_is_a_usage_error_in_the_user_s_language(bad: str, locale: str) -> None:
    result = kompass("export", "--format", "json", "--out", "x", "--since", bad, locale=locale)
    assert result.exit_code == 2, result.output
    said = translator(locale).gettext("'%(day)s' is not a day; write it as YYYY-MM-DD.")
    assert said != "'%(day)s' is not a day; write it as YYYY-MM-DD." or locale == "en"
    message = " ".join(result.stderr.split())
    assert "--since: " + " ".join((said % {"day": bad}).split()) in message, message
    assert "Traceback" not in result.output


def program(*args: str, locale: str) -> subprocess.CompletedProcess[str]:
    """The real program: its help is translated when it starts, in the language it starts in."""
    env = {**os.environ, "KOMPASS_LOCALE": locale, "COLUMNS": "400", "NO_COLOR": "1"}
    env.pop("LANGUAGE", None)
    return subprocess.run(
        [sys.executable, "-m", "kompass_tui", *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("locale", ["en", "nb"])
def test_the_help_shows_the_choices_the_day_and_json_in_the_user_s_language(locale: str) -> None:
    json_help = translator(locale).gettext(
        "Write JSON for scripts instead of text (the README describes its shape)."
    )
    cases = {
        "export": ["json|jsonl|csv|html", "YYYY-MM-DD", "in_progress|submitted|reviewed|exported"],
        "list": ["deadline|name|updated", json_help],
        "audit": ["login|login_failed", "audit_viewed", json_help],
        "show": [json_help],
        "locales": [json_help],
    }
    for command, shown in cases.items():
        result = program(command, "--help", locale=locale)
        assert result.returncode == 0, result.stderr
        # However the help's columns wrap it: without blanks and the frame's lines.
        text = re.sub(r"[\s\u2500-\u257f]", "", result.stdout)
        for words in shown:
            assert "".join(words.split()) in text, (command, words)


def test_a_good_day_and_choices_are_taken(db: Database, tmp_path: Path) -> None:
    accounts.add_user(db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    new = _submitted(db, "Hodan Ali")
    _age(db, new, days=10)
    since = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    for locale in ("en", "nb"):
        out = tmp_path / f"{locale}.jsonl"
        result = logged_in(db, "export", "--format", "jsonl", "--out", str(out),
                           "--since", since, "--status", "submitted", "--keep-status",
                           locale=locale)  # fmt: skip
        assert result.exit_code == 0, result.output
        assert result.exception is None
        assert out.read_text("utf-8") == ""  # changed ten days ago: not since three days ago
    result = logged_in(db, "export", "--format", "jsonl", "--out", str(tmp_path / "all.jsonl"),
                       "--since", "2000-01-01", "--keep-status")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "all.jsonl").read_text("utf-8").splitlines()) == 1
    for sort in ("deadline", "name", "updated"):
        result = logged_in(db, "list", "--sort", sort, "--status", "submitted", locale="nb")
        assert result.exit_code == 0, result.output
        assert result.exception is None
        assert "Hodan Ali" in result.stdout
    result = logged_in(db, "audit", "--action", "records_listed", "--json")
    assert result.exception is None
    events = json.loads(result.stdout)["events"]
    assert len(events) == 3
    assert {event["action"] for event in events} == {"records_listed"}


# ---------------------------------------------------------------- --json


def _submitted(db: Database, name: str, *, permit: str = "2026-11-01") -> uuid.UUID:
    new = records.create_record(db, questionnaire=load_builtin(), mode=Mode.kiosk, locale="so")
    for path, value in {"full_name": name, "person_id": "202499990000", "permit_date": permit,
                        "birth_date": "1990-05-17", "years_school": 10}.items():  # fmt: skip
        records.save_answer(db, record_id=new.id, path=path, value=value, provenance="self")
    records.submit(db, record_id=new.id)
    return new.id


def _age(db: Database, record_id: uuid.UUID, *, days: int) -> None:
    then = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    table = SQLModel.metadata.tables["record"]
    with db.connection() as connection:
        connection.execute(sa.update(table).where(table.c.id == record_id).values(updated_at=then))


def _awkward(db: Database, record_id: uuid.UUID) -> None:
    """AWKWARD written with SQL where the kiosk and the import would never let it in."""
    tables = SQLModel.metadata.tables
    record, answer = tables["record"], tables["answer"]
    with db.connection() as connection:
        connection.execute(
            sa.update(record).where(record.c.id == record_id).values(full_name=AWKWARD)
        )
        connection.execute(
            sa.update(answer)
            .where(answer.c.record_id == record_id, answer.c.path == "full_name")
            .values(value=AWKWARD)
        )
        connection.execute(sa.update(tables["remark"]).values(text=AWKWARD))
        connection.execute(sa.update(tables["correction"]).values(reason=AWKWARD))


@pytest.fixture
def record_id(db: Database) -> uuid.UUID:
    worker = accounts.add_user(db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    assert worker.id is not None
    new = _submitted(db, "Hodan Ali")
    review.add_remark(db, record_id=new, actor_id=worker.id, text="Has papers.",
                      questionnaire=load_builtin(), section="languages",
                      kind=RemarkKind.remark)  # fmt: skip
    review.correct_answer(db, record_id=new, actor_id=worker.id, path="years_school",
                          value=12, reason="Papers")  # fmt: skip
    return new


def documented(command: str) -> set[str]:
    """The keys README.md's table gives for ``command``'s JSON (every level together)."""
    text = (CLI.parent.parent / "README.md").read_text("utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith(f"| `{command}` |")]
    shape = row.split("|")[2]
    return set(re.findall(r'"(\w+)"', shape))


def _keys(data: Any) -> set[str]:
    """Every key at every level of ``data``, but not inside ``detail`` (free per action)."""
    if isinstance(data, list):
        return set().union(*(_keys(item) for item in data)) if data else set()
    if isinstance(data, dict):
        return set(data).union(*(_keys(v) for k, v in data.items() if k != "detail"))
    return set()


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    assert result.exception is None
    _clean(result.stdout)
    return json.loads(result.stdout)


def _clean(text: str) -> None:
    found = FORBIDDEN.search(text)
    assert found is None, repr(text[max(0, found.start() - 40) : found.start() + 10])  # type: ignore[union-attr]


def test_list_json_is_the_table_as_data_and_audited(db: Database, record_id: uuid.UUID) -> None:
    before = len(audit.events(db, action=audit.Action.records_listed))
    for locale in ("en", "nb"):  # the same data in every language: codes, no words
        data = _json(logged_in(db, "list", "--json", locale=locale))
        assert data == {
            "total": 1,
            "offset": 0,
            "records": [
                {
                    "record_id": str(record_id),
                    "status": "submitted",
                    "needs_follow_up": False,
                    "full_name": "Hodan Ali",
                    "person_id": "202499990000",
                    "permit_date": "2026-11-01",
                    "deadline": "2026-11-15",
                    "days_left": (dt.date(2026, 11, 15) - dt.date.today()).days,
                    "overdue": False,  # sent: late or not, no longer overdue
                    "settlement_date": None,
                    "guidance_deadline": None,
                    "guidance_days_left": None,
                    "refused_duplicates": 0,
                    "last_refused_duplicate": None,
                }
            ],
        }
    assert _keys(data) == documented("kompass list --json")
    listed = audit.events(db, action=audit.Action.records_listed)
    assert len(listed) == before + 2
    assert listed[0].detail["records"] == [str(record_id)]
    assert _json(logged_in(db, "list", "--json", "--search", "nobody"))["records"] == []


def test_show_json_is_the_record_as_exported(
    db: Database, record_id: uuid.UUID, tmp_path: Path
) -> None:
    data = _json(logged_in(db, "show", str(record_id)[:8], "--json", locale="nb"))
    Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        data
    )
    worker = accounts.authenticate(db, username="kari", password=PASSWORD)
    assert worker.id is not None
    out = tmp_path / "one.jsonl"
    exporting.export(db, fmt=exporting.Format.jsonl, out=out, actor_id=worker.id,
                     selection=Selection(record_id=record_id), mark=False)  # fmt: skip
    assert data == json.loads(out.read_text("utf-8"))
    assert data["remarks"][0]["text"] == "Has papers."
    assert data["corrections"][0]["new"] == 12
    viewed = audit.events(db, action=audit.Action.record_viewed, record_id=record_id)
    assert [event.actor_id for event in viewed] == [worker.id]


def test_audit_json_is_the_log_as_data(db: Database, record_id: uuid.UUID) -> None:
    kompass("list", "--db", db.url, "--user", "somebody", password="wrong")
    data = _json(logged_in(db, "audit", "--json", "--limit", "5"))
    events = data["events"]
    assert [e["action"] for e in events][:2] == ["login", "login_failed"]
    assert events[0]["actor"] == "kari"
    assert events[1]["actor"] is None
    assert events[1]["actor_name"] == "somebody"
    assert _keys(data) == documented("kompass audit --json")
    assert set(events[0]) == {"id", "at", "actor", "actor_name", "action", "record_id", "detail"}
    assert dt.datetime.fromisoformat(events[0]["at"]).tzinfo is not None
    corrected = _json(logged_in(db, "audit", "--json", "--record", str(record_id)[:8],
                                "--action", "answer_corrected"))["events"]  # fmt: skip
    assert [(e["record_id"], e["detail"]["old"], e["detail"]["new"]) for e in corrected] == [
        (str(record_id), 10, 12)
    ]
    # reading the log is itself in it
    assert audit.events(db, action=audit.Action.audit_viewed)[0].detail["shown"] == 1


def test_json_is_valid_and_exact_with_any_stored_text(db: Database, record_id: uuid.UUID) -> None:
    """Quotes, line breaks, controls, right-to-left marks: a program gets the stored text back
    exactly, and the terminal gets none of what it would act on (it is \\u-escaped)."""
    _awkward(db, record_id)
    short = str(record_id)[:8]
    listed = _json(logged_in(db, "list", "--json"))
    assert listed["records"][0]["full_name"] == AWKWARD
    shown = _json(logged_in(db, "show", short, "--json"))
    assert shown["person"]["full_name"] == AWKWARD
    assert shown["answers"]["full_name"] == AWKWARD
    assert shown["remarks"][0]["text"] == AWKWARD
    assert shown["corrections"][0]["reason"] == AWKWARD
    logged_in(db, "list", "--search", 'Hodan "Ali"\n')
    events = _json(logged_in(db, "audit", "--json", "--action", "records_listed"))["events"]
    assert events[0]["detail"]["search"] == 'Hodan "Ali"'
    assert "\u200f" in logged_in(db, "list", "--json").stdout  # a mark is text, kept as is


def test_locales_json(tmp_path: Path) -> None:
    from sporreskjema.catalogs import catalog_status

    for locale in ("en", "nb"):
        data = _json(kompass("locales", "--json", locale=locale))
        by_code = {entry["code"]: entry for entry in data["locales"]}
        assert list(by_code)[:3] == ["nb", "nn", "en"]
        assert by_code["ar"]["direction"] == "rtl"
        assert by_code["ar"]["name"] == "العربية"  # logical order, as stored
        assert by_code["nb"]["direction"] == "ltr"
        status = catalog_status("uk")
        assert by_code["uk"]["translated"] == status.translated
        assert by_code["uk"]["complete"] == status.complete
        assert (by_code["uk"]["reviewed"], by_code["uk"]["reviewed_share"]) == (0, 0.0)
        assert (by_code["en"]["reviewed"], by_code["en"]["reviewed_share"]) == (None, None)
        assert _keys(data) == documented("kompass locales --json")


def test_purge_counts_json(db: Database) -> None:
    accounts.add_user(db, username="kari", full_name="Kari Nordmann", password=PASSWORD)
    assert _json(logged_in(db, "purge", "--counts", "--json")) == {"counts": [], "total": 0}
    old = _submitted(db, "Hodan Ali")
    _age(db, old, days=400)
    assert purge.count(db, older_than_days=365, statuses=frozenset()) == 1
    assert logged_in(db, "purge", "--older-than", "365", "--yes").exit_code == 0
    data = _json(logged_in(db, "purge", "--counts", "--json", locale="nb"))
    (kept,) = purge.counts(db)
    assert data == {
        "counts": [
            {"month": kept.month, "status": "submitted", "locale": "so", "mode": "kiosk",
             "records": 1}
        ],
        "total": 1,
    }  # fmt: skip
    assert _keys(data) == documented("kompass purge --counts --json")
    refused = logged_in(db, "purge", "--older-than", "1", "--json")
    assert refused.exit_code == 1
    assert "--json" in refused.stderr


# ---------------------------------------------------------------- one way to the database


def test_every_command_opens_its_database_one_way() -> None:
    """Open, turn a storage problem into one line, close: cli/common.py's ``database`` (or
    ``session``) does it for every command, none by hand."""
    by_hand = []
    for path in CLI.glob("*.py"):
        if path.name == "common.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in {"open_db", "open_database", "storage_failure", "dispose"}:
                    by_hand.append(f"{path.name}:{node.lineno} {name}")
            if isinstance(node, ast.ExceptHandler) and "StorageError" in ast.dump(node):
                by_hand.append(f"{path.name}:{node.lineno} except StorageError")
    assert by_hand == []


def test_a_storage_problem_inside_a_command_is_one_line_and_closes_the_database(
    db: Database, record_id: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[str] = []
    dispose = Database.dispose

    def counted(self: Database) -> None:
        closed.append(self.url)
        dispose(self)

    monkeypatch.setattr(Database, "dispose", counted)
    for args in (["show", "ffffffff"], ["audit", "--record", "ffffffff", "--json"],
                 ["status", "ffffffff", "reviewed"]):  # fmt: skip
        closed.clear()
        result = logged_in(db, *args, locale="nb")
        assert result.exit_code == 1, result.output
        assert result.stderr.strip() == "Feil: Det finnes ingen registrering ffffffff.", (
            result.stderr
        )
        assert closed == [db.url]
    assert records.get_record(db, record_id).status == Status.submitted
