"""Hostile text: escape sequences, control characters, bidi overrides and Rich/Textual markup.

The kiosk and the review clean text as it is typed (tests/engine/test_values.py), and `kompass import`
refuses a file that carries control characters. Text that got into the database some other way
(an older version, a hand-made row) is cleaned again wherever it is shown: `kompass list`,
`show`, `audit`, `user list`, the review screens, CSV and HTML; and no text is ever read as
markup, which would stop the program ("[/b]") or make links and clickable actions of it."""

from __future__ import annotations

import csv
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.exchange import importer
from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection
from kompass_tui.review.app import ReviewApp
from kompass_tui.review.screens.record import RecordScreen
from kompass_tui.review.screens.record_list import RecordListScreen
from kompass_tui.storage import accounts, review
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Status
from sporreskjema import Questionnaire, translator
from tests.support.exchange import PASSWORD, caseworker, exported, file_text, register
from tests.support.helpers import TODAY
from tests.support.review import log_in, wait_for

EN = translator("en")
#: What must never reach a terminal, a CSV cell or a web page from stored text.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Markup that Rich and Textual would act on if the text were read as markup.
MARKUP = "[/b] [link=https://evil.example]x[/link] [@click=app.quit]y[/]"
#: Everything at once: clear screen, window title, clipboard (OSC 52), hyperlink, 8-bit CSI,
#: a bell, a right-to-left override, then the markup.
HOSTILE = (
    "Hodan\x1b[2J\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x1b]8;;https://evil.example\x1b\\"
    "\x9b31m\x07\u202eilA\u202c " + MARKUP
)


def _clean(text: str) -> None:
    found = FORBIDDEN.search(text)
    assert found is None, (
        f"{found.group()!r} at {found.start()} in {text[max(0, found.start() - 40) :]!r}"
    )  # type: ignore[union-attr]


# ---------------------------------------------------------------- import refuses them


def _escaped(text: str) -> str:
    """``text`` as it would be written inside a JSON string."""
    return json.dumps(text)[1:-1]


IMPORT_CASES = {
    "a name": ('"Rami Haddad"', '"Rami \\u001b]52;c;ZXZpbA==\\u0007Haddad"', "person/full_name"),
    "a remark": ('"Wants to work', '"\\u001b[2JWants to work', "remarks/1/text"),
    "a reason": ('"Work certificate', '"\\u202eWork certificate', "corrections/0/reason"),
    "an author": ('"author":"kari"', '"author":"kari\\u009b31m"', "remarks/0/author"),
    "a key": ('"answers":{', '"answers":{"x\\u001b":1,', "answers/x\\x1b"),
    # As they are, not escaped: JSON lets these stand in a string unescaped.
    "a raw 8-bit CSI": ('"Rami Haddad"', '"Rami \x9b31mHaddad"', "person/full_name"),
    "a raw bidi override": ('"Wants to work', '"\u202eWants to work', "remarks/1/text"),
}


@pytest.mark.parametrize("case", sorted(IMPORT_CASES))
def test_an_import_with_control_characters_is_refused(
    case: str, kiosk: Any, db: Database, tmp_path: Path
) -> None:
    good = exported(kiosk[0], kiosk[1], tmp_path / "good.jsonl").strip()
    old, new, place = IMPORT_CASES[case]
    assert old in good
    path = tmp_path / "bad.jsonl"
    path.write_text(good.replace(old, new, 1) + "\n", "utf-8")
    worker = caseworker(db)
    with pytest.raises(importer.ImportRefused) as caught:
        importer.import_file(db, path, actor_id=worker)
    message = caught.value.message.render(EN)
    assert message.startswith(f"line 1: {place} holds control characters"), message
    _clean(message)
    assert (
        review.list_records(db, review.ListQuery(statuses=frozenset(Status)), actor_id=None).total
        == 0
    )


def test_markup_comes_through_an_import_as_plain_text(
    kiosk: Any, db: Database, tmp_path: Path
) -> None:
    """Brackets are ordinary text, so an import keeps them; every place shows them as typed."""
    good = exported(kiosk[0], kiosk[1], tmp_path / "good.jsonl").strip()
    path = tmp_path / "markup.jsonl"
    path.write_text(good.replace("Rami Haddad", "Rami " + _escaped(MARKUP)) + "\n", "utf-8")
    worker = caseworker(db)
    importer.import_file(db, path, actor_id=worker)
    for args in (["list", "--all"], ["show", str(kiosk[2])]):
        code, output = _run(db, *args)
        assert code == 0, output
        assert MARKUP in " ".join(output.split()).replace("│", ""), output


# ---------------------------------------------------------------- shown cleaned everywhere


def _poison(db: Database, record_id: uuid.UUID) -> None:
    """Hostile text written straight into the database, past every check on the way in."""
    tables = SQLModel.metadata.tables
    record, answer, remark = tables["record"], tables["answer"], tables["remark"]
    correction, audit, worker = tables["correction"], tables["audit_event"], tables["caseworker"]
    with db.connection() as connection:
        connection.execute(
            sa.update(record).where(record.c.id == record_id).values(full_name=HOSTILE)
        )
        for path in ("full_name", "jobs[0].job_title", "educations[0].programme"):
            connection.execute(
                sa.update(answer)
                .where(answer.c.record_id == record_id, answer.c.path == path)
                .values(value="=HYPERLINK(1)" + HOSTILE if path == "jobs[0].job_title" else HOSTILE)
            )
        connection.execute(sa.update(remark).values(text=HOSTILE))
        connection.execute(sa.update(correction).values(reason=HOSTILE))
        connection.execute(
            sa.update(audit)
            .where(audit.c.action == "answer_corrected")
            .values(detail={"path": "jobs[0].from_year", "old": HOSTILE, "new": 2011})
        )
        connection.execute(sa.update(worker).values(full_name=HOSTILE))
        connection.execute(
            sa.insert(worker).values(
                username="evil\x1b]0;owned\x07\u202e[/b]",
                full_name=HOSTILE,
                password_hash="!",
                active=False,
                failed_logins=0,
                created_at=sa.func.now(),
            )
        )


@pytest.fixture
def poisoned(db: Database, kompass: Questionnaire) -> tuple[Database, uuid.UUID]:
    worker = caseworker(db)
    record_id = register(db, kompass, worker)
    _poison(db, record_id)
    return db, record_id


def _run(db: Database, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [*args, "--db", db.url] + ([] if args[0] == "user" else ["--user", "kari"]),
        env={"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": PASSWORD, "COLUMNS": "400"},
    )
    return result.exit_code, result.output


def test_the_command_line_shows_hostile_text_cleaned(poisoned: tuple[Database, uuid.UUID]) -> None:
    db, record_id = poisoned
    for args in (["list", "--all"], ["show", str(record_id)], ["audit"], ["user", "list"]):
        code, output = _run(db, *args)
        assert code == 0, (args, output)
        _clean(output)
        assert "Hodan" in output, args
        assert MARKUP in output, args  # shown as typed, not taken as markup


def test_csv_and_html_carry_hostile_text_cleaned(
    poisoned: tuple[Database, uuid.UUID], tmp_path: Path
) -> None:
    db, _record_id = poisoned
    export(db, fmt=Format.csv, out=tmp_path / "csv", selection=Selection(), actor_id=1, mark=False)
    cells = 0
    for table in (tmp_path / "csv").iterdir():
        with table.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    _clean(cell)
                    assert not cell.startswith(("=", "+", "-", "@")), cell
                    cells += "Hodan" in cell
    assert cells >= 4  # name, programme, job title, remark
    export(db, fmt=Format.html, out=tmp_path / "out.html", selection=Selection(), actor_id=1)
    page = (tmp_path / "out.html").read_text("utf-8")
    _clean(page)
    assert "Hodan" in page
    assert "[link=https://evil.example]" in page


async def test_the_review_screens_show_hostile_text_cleaned(
    poisoned: tuple[Database, uuid.UUID],
) -> None:
    db, _record_id = poisoned
    with db.connection() as connection:  # the list shows open work
        connection.execute(sa.update(SQLModel.metadata.tables["record"]).values(status="submitted"))
    app = ReviewApp(db, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await log_in(pilot)
        await wait_for(pilot, RecordListScreen)
        picture = app.export_screenshot()
        _clean(picture)
        assert "[/b]" in picture
        await pilot.press("enter")
        await wait_for(pilot, RecordScreen)
        await pilot.pause()
        picture = app.export_screenshot()
        _clean(picture)
        assert "[@click=app.quit]y[/]" in picture
        await pilot.press("c")  # the correction dialog shows the stored answer
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#question").value = "educations[0].programme"  # type: ignore[attr-defined]
        await pilot.pause()
        picture = app.export_screenshot()
        _clean(picture)
        assert app.is_running


# ---------------------------------------------------------------- every column, every view

#: Hostile text short enough for the narrowest text column (10 characters): clear screen,
#: an 8-bit CSI, a right-to-left override and markup.
TINY = "\x1b[2J\x9b\u202e[/b]"
#: A C1 control that some terminals take as a line break, the line and paragraph separators.
C1 = "\x85\x9d0;x\x9c"


def _hostile(width: int | None) -> str:
    """The most hostile text a column of ``width`` characters holds."""
    if width is None or width >= len(HOSTILE) + len(C1):
        return HOSTILE + C1
    return TINY if width < len(HOSTILE) else HOSTILE


def _is_text(column: sa.Column[Any]) -> bool:
    kind = column.type
    return isinstance(getattr(kind, "impl_instance", kind), sa.String)


def _poison_every_column(db: Database, record_id: uuid.UUID, *, keep_status: bool) -> None:
    """Hostile text in every stored text column of the record and of what is said about it,
    written past every check on the way in (as an older version or a hand-made row might)."""
    tables = SQLModel.metadata.tables
    record, answer = tables["record"], tables["answer"]
    text_columns = {
        column.name: _hostile(getattr(column.type, "length", None))
        for column in record.columns
        if _is_text(column) and column.name != "resume_hash"
    }
    text_columns["person_key"] = TINY + ("1" if keep_status else "2")  # unique
    if keep_status:
        text_columns.pop("status")
    assert {"mode", "locale", "person_key", "interpreter_language", "full_name"} <= set(
        text_columns
    )
    with db.connection() as connection:
        connection.execute(
            sa.update(record)
            .where(record.c.id == record_id)
            .values(
                **text_columns,
                locales_used=[TINY, "ar"],
                interpreter_used=True,
                permit_date=None if keep_status else sa.func.current_date(),
            )
        )
        rows = connection.execute(
            sa.select(answer.c.id, answer.c.value).where(answer.c.record_id == record_id)
        ).all()
        for row_id, value in rows:  # every text answer, who gave every answer and where
            connection.execute(
                sa.update(answer)
                .where(answer.c.id == row_id)
                .values(
                    provenance=_hostile(30),
                    place=_hostile(10),
                    **({"value": _hostile(None)} if isinstance(value, str) else {}),
                )
            )
        connection.execute(
            sa.insert(answer).values(
                record_id=record_id,
                path=_hostile(120),
                value=_hostile(None),
                provenance="self",
                answered_at=sa.func.now(),
            )
        )
        for name in ("remark", "correction"):
            table = tables[name]
            connection.execute(
                sa.update(table)
                .where(table.c.record_id == record_id)
                .values(
                    {
                        column.name: _hostile(getattr(column.type, "length", None))
                        for column in table.columns
                        if _is_text(column)
                    }
                )
            )
        correction = tables["correction"]
        connection.execute(
            sa.update(correction)
            .where(correction.c.record_id == record_id)
            .values(old_value=_hostile(None), new_value=[_hostile(None)])
        )
        audit = tables["audit_event"]
        connection.execute(
            sa.update(audit)
            .where(audit.c.record_id == record_id)
            .values(
                actor_name=_hostile(80),
                action=_hostile(40),
                detail={_hostile(None): _hostile(None), "path": [_hostile(None)]},
            )
        )
        worker = tables["caseworker"]
        connection.execute(
            sa.update(worker).where(worker.c.username != "kari").values(username=_hostile(80))
        )
        connection.execute(sa.update(worker).values(full_name=_hostile(None)))


@pytest.fixture
def poisoned_everywhere(
    db: Database, kompass: Questionnaire
) -> tuple[Database, uuid.UUID, uuid.UUID]:
    """Two records with hostile text in every text column: one that the list shows (its status
    kept), one with a status this version does not know either."""
    worker = caseworker(db)
    listed = register(db, kompass, worker)
    other = register(db, kompass, worker, person_id="2024 7777 4321")
    review.set_status(db, record_id=listed, actor_id=worker, status=Status.submitted)
    accounts.add_user(db, username="olav", full_name="Olav", password=PASSWORD)
    _poison_every_column(db, listed, keep_status=True)
    _poison_every_column(db, other, keep_status=False)
    return db, listed, other


def test_hostile_text_in_every_column_is_shown_cleaned_everywhere(
    poisoned_everywhere: tuple[Database, uuid.UUID, uuid.UUID], tmp_path: Path
) -> None:
    """`list`, `show`, `audit` and `user list`, and every export format: none of the hostile
    text comes through raw, and nothing crashes."""
    db, listed, other = poisoned_everywhere
    for args in (
        ["list", "--all"],
        ["show", str(listed)],
        ["show", str(other)],
        ["audit"],
        ["audit", "--record", str(other)],
        ["user", "list"],
    ):
        code, output = _run(db, *args)
        assert code == 0, (args, output)
        _clean(output)
        assert "[/b]" in output, args  # shown as typed, not taken as markup
    for fmt in Format:
        out = tmp_path / f"out.{fmt}"
        result = export(db, fmt=fmt, out=out, selection=Selection(), actor_id=1, mark=False)
        assert result.records == 2
        for file in result.files:
            text = file_text(file)
            _clean(text)
            if fmt in (Format.json, Format.jsonl):
                for line in text.splitlines():  # the same data, only escaped
                    if line.strip("[],"):
                        assert json.loads(line.rstrip(",")), line
        if fmt is Format.json:
            records = json.loads(out.read_text("utf-8"))
            assert {r["mode"] for r in records} == {_hostile(20)}  # escaped, not lost


async def test_the_review_shows_hostile_text_in_every_column_cleaned(
    poisoned_everywhere: tuple[Database, uuid.UUID, uuid.UUID],
) -> None:
    db, _listed, other = poisoned_everywhere
    app = ReviewApp(db, today=TODAY)
    async with app.run_test(size=(160, 50)) as pilot:
        await log_in(pilot)
        await wait_for(pilot, RecordListScreen)
        _clean(app.export_screenshot())
        await pilot.press("enter")
        await wait_for(pilot, RecordScreen)
        await pilot.pause()
        picture = app.export_screenshot()
        _clean(picture)
        assert "[/b]" in picture
        app.push_screen(RecordScreen(other))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.report is not None
        _clean(app.export_screenshot())
        await pilot.press("s")  # a status this version does not know: no dialog, no crash
        await pilot.pause()
        assert app.is_running
