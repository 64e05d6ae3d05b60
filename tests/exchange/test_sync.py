"""Kiosks deliver their sealed records through the municipality's PostgreSQL (``kompass sync``),
with a role that may insert into the inbox and nothing else, and the municipality opens them
into the review records (``kompass inbox``); on a real server."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.exchange import sealed
from kompass_tui.exchange.sealing import record_line, seal_sent
from kompass_tui.storage import audit, delivery, sealed_records
from kompass_tui.storage.database import Database, open_database
from tests.support.exchange import PASSWORD, caseworker
from tests.support.helpers import TODAY, add_records

PASSPHRASE = "seven tired ravens"
SEALED = SQLModel.metadata.tables["sealed_record"]
INBOX = SQLModel.metadata.tables["inbox"]
RECORD = SQLModel.metadata.tables["record"]


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        list(args),
        env={"KOMPASS_LOCALE": "en", "KOMPASS_PASSWORD": PASSWORD, "COLUMNS": "200", **(env or {})},
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, sealed.Recipient]:
    """The municipality's key pair, made once (its passphrase takes a second to stretch)."""
    folder = tmp_path_factory.mktemp("keys")
    made = sealed.new_keys(folder, PASSPHRASE)
    return made.identity, sealed.read_recipients(made.recipient)[0]


@pytest.fixture
def kiosk(tmp_path: Path, keys: tuple[Path, sealed.Recipient]) -> Iterator[Database]:
    """A sealing kiosk's database: ten records, four of them sent and sealed."""
    database = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    add_records(database, 10, today=TODAY, with_answers=True)
    try:
        yield database
    finally:
        database.dispose()


def seal(kiosk: Database, recipient: sealed.Recipient) -> dict[uuid.UUID, bytes]:
    """Seal the kiosk's sent records; each one's export line as it was before."""
    with kiosk.session() as session:
        sent = session.execute(sa.select(RECORD.c.id).where(RECORD.c.status == "submitted"))
        lines = {record_id: record_line(kiosk, record_id) for record_id in sent.scalars()}
    assert seal_sent(kiosk, [recipient], kiosk="kiosk-7") == len(lines) == 4
    return {record_id: line for record_id, line in lines.items() if line is not None}


@pytest.fixture
def municipality(pg_url: str) -> Iterator[Database]:
    database = open_database(pg_url)
    caseworker(database)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def kiosk_url(municipality: Database) -> Iterator[str]:
    """A kiosk's role made with ``kompass db kiosk-role``, and the URL it prints."""
    name = f"kiosk_{uuid.uuid4().hex[:10]}"
    code, output = run("db", "kiosk-role", name, "--db", municipality.url)
    assert code == 0, output
    url = output.split("kompass sync --to ")[1].split()[0]
    try:
        yield url
    finally:
        schema = sa.make_url(municipality.url).query["options"].split("=")[1]  # type: ignore[union-attr]
        with municipality.engine.begin() as connection:
            connection.exec_driver_sql(f'REVOKE ALL ON "{schema}".inbox FROM {name}')
            connection.exec_driver_sql(f'REVOKE ALL ON SCHEMA "{schema}" FROM {name}')
            connection.exec_driver_sql(f"DROP ROLE {name}")


def inbox_rows(municipality: Database) -> dict[uuid.UUID, str]:
    with municipality.session() as session:
        return dict(session.execute(sa.select(INBOX.c.record_id, INBOX.c.content_hash)).all())


def test_sync_delivers_each_record_once_and_then_deletes_its_envelope_at_the_kiosk(
    kiosk: Database, municipality: Database, kiosk_url: str, keys: tuple[Path, sealed.Recipient]
) -> None:
    lines = seal(kiosk, keys[1])
    with kiosk.session() as session:
        hashes = dict(session.execute(sa.select(SEALED.c.record_id, SEALED.c.content_hash)).all())
    code, output = run("sync", "--to", kiosk_url, "--db", kiosk.url, "--batch", "3")
    assert code == 0, output
    assert "Delivered 3 of 4." in output
    assert "Records delivered: 4." in output
    assert inbox_rows(municipality) == hashes
    with kiosk.session() as session:
        left = session.execute(
            sa.select(SEALED.c.envelope, SEALED.c.delivered_at, SEALED.c.person_tag)
        ).all()
    assert [envelope for envelope, _at, _tag in left] == [None] * 4
    assert all(at is not None and tag for _envelope, at, tag in left)
    # The once-per-person rule still holds at the kiosk for a delivered record (its tag stays).
    with kiosk.session() as session:
        for record_id in hashes:
            person_key = f"2024{int(str(record_id)[:8], 16):08d}"  # as add_records made it
            assert sealed_records.sealed_owner(session, person_key) == record_id
    # A second run has nothing to send; the server still holds each record once.
    code, output = run("sync", "--to", kiosk_url, "--db", kiosk.url)
    assert code == 0, output
    assert "Nothing to deliver" in output, output
    assert inbox_rows(municipality) == hashes
    # The same envelopes sent again (a sync stopped before the kiosk noted the delivery) are
    # stored once, quietly.
    with kiosk.write() as session:
        session.execute(sa.update(SEALED).values(delivered_at=None, envelope=b"x"))
        for record_id, digest in hashes.items():
            session.execute(
                sa.update(SEALED)
                .where(SEALED.c.record_id == record_id)
                .values(envelope=b"sealed " + digest.encode(), content_hash=digest)
            )
    code, output = run("sync", "--to", kiosk_url, "--db", kiosk.url)
    assert code == 0, output
    assert "Records delivered: 4." in output, output
    assert inbox_rows(municipality) == hashes
    # Each arrival audited once on the server, with the role that delivered it; each delivery
    # at the kiosk.
    received = audit.events(municipality, action=audit.Action.envelope_received)
    assert sorted(event.record_id for event in received) == sorted(hashes)  # type: ignore[type-var]
    assert {event.actor_name for event in received} == {sa.make_url(kiosk_url).username}
    delivered = audit.events(kiosk, action=audit.Action.record_delivered)
    assert len(delivered) == 8
    assert "password" not in json.dumps([e.detail for e in delivered])
    assert len(lines) == 4


def test_a_kiosk_role_can_read_nothing_and_write_only_new_envelopes(
    municipality: Database, kiosk_url: str
) -> None:
    url = sa.make_url(kiosk_url)
    with municipality.session() as session:
        tables = sorted(
            session.execute(
                sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
        )
    assert {"inbox", "record", "answer", "audit_event", "caseworker", "sealed_record"} <= set(
        tables
    )
    refused = []
    with psycopg.connect(
        host=url.host, port=url.port, dbname=url.database, user=url.username,
        password=url.password, autocommit=True,
    ) as connection:  # fmt: skip
        for table in tables:
            try:
                connection.execute(f'SELECT 1 FROM "{table}" LIMIT 1')
            except psycopg.errors.InsufficientPrivilege:
                refused.append(table)
        assert refused == tables
        for statement in (
            "UPDATE inbox SET kiosk = 'x'",
            "DELETE FROM inbox",
            "INSERT INTO inbox (record_id, content_hash, envelope, opened_at) "
            "VALUES (gen_random_uuid(), 'a', 'b', now())",
            "INSERT INTO audit_event (at, action, detail) VALUES (now(), 'x', '{}')",
            "SELECT kompass_inbox_receive()",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(statement)
        # What it may do: deliver an envelope, and learn nothing from delivering it again.
        record_id = uuid.uuid4()
        insert = (
            "INSERT INTO inbox (record_id, content_hash, envelope, kiosk) VALUES (%s, %s, %s, %s)"
        )
        connection.execute(insert, (record_id, "a" * 64, b"sealed", "k"))
        connection.execute(insert, (record_id, "a" * 64, b"sealed", "k"))
        with pytest.raises(psycopg.Error) as refused_again:
            connection.execute(insert, (record_id, "b" * 64, b"other", "k"))
        assert refused_again.value.sqlstate == "KP409"
    assert inbox_rows(municipality) == {record_id: "a" * 64}


def test_the_same_record_with_other_content_is_refused_and_stays_at_the_kiosk(
    kiosk: Database, municipality: Database, kiosk_url: str, keys: tuple[Path, sealed.Recipient]
) -> None:
    seal(kiosk, keys[1])
    with kiosk.session() as session:
        first, *others = session.execute(
            sa.select(SEALED.c.record_id).order_by(SEALED.c.record_id)
        ).scalars()
    with municipality.write() as session:
        session.execute(
            sa.insert(INBOX).values(
                record_id=first, content_hash="0" * 64, envelope=b"another kiosk's"
            )
        )
    code, output = run("sync", "--to", kiosk_url, "--db", kiosk.url)
    assert code == 1
    assert f"The server already holds record {first} with other content" in output
    assert "Records delivered: 3." in output
    assert set(inbox_rows(municipality)) == {first, *others}
    assert inbox_rows(municipality)[first] == "0" * 64
    assert delivery.waiting(kiosk) == 1
    (event,) = audit.events(kiosk, action=audit.Action.delivery_refused)
    assert event.record_id == first


def test_the_inbox_opens_each_record_once_as_it_was_sent(
    kiosk: Database, municipality: Database, kiosk_url: str, keys: tuple[Path, sealed.Recipient]
) -> None:
    lines = seal(kiosk, keys[1])
    assert run("sync", "--to", kiosk_url, "--db", kiosk.url)[0] == 0
    code, output = run("inbox", "--db", municipality.url, "--user", "kari")
    assert code == 0, output
    assert "Envelopes waiting: 4." in output, output
    assert "kiosk-7" in output, output
    secret = {"KOMPASS_PASSPHRASE": PASSPHRASE}
    opening = ("inbox", "--identity", str(keys[0]), "--db", municipality.url, "--user", "kari")
    code, output = run(*opening, env=secret)
    assert code == 0, output
    assert "Envelopes opened: 4 new records, 0 already here, 0 left." in output
    for record_id, line in lines.items():
        assert record_line(municipality, record_id) == line  # byte for byte as it was sent
    code, output = run(*opening, env=secret)
    assert code == 0, output
    assert "Envelopes opened: 0 new records" in output, output
    opened = audit.events(municipality, action=audit.Action.envelope_opened)
    assert len(opened) == 4
    assert {event.actor_id for event in opened} == {1}  # kari, who opened them
    assert {event.detail["kiosk"] for event in opened} == {"kiosk-7"}
    # The review shows where each came from and when it arrived.
    record_id = next(iter(lines))
    code, output = run("show", str(record_id), "--db", municipality.url, "--user", "kari")
    assert code == 0, output
    assert "from kiosk kiosk-7, " in output, output
    with municipality.session() as session:
        arrived = session.execute(
            sa.select(RECORD.c.kiosk, RECORD.c.delivered_at).where(RECORD.c.id == record_id)
        ).one()
    assert arrived.kiosk == "kiosk-7"
    assert dt.datetime.now(dt.UTC) - arrived.delivered_at < dt.timedelta(minutes=5)


def test_envelopes_that_cannot_be_opened_stay_in_the_inbox_and_the_others_are_opened(
    kiosk: Database,
    municipality: Database,
    kiosk_url: str,
    keys: tuple[Path, sealed.Recipient],
    tmp_path: Path,
) -> None:
    lines = seal(kiosk, keys[1])
    assert run("sync", "--to", kiosk_url, "--db", kiosk.url)[0] == 0
    damaged, altered, *fine = sorted(lines)
    other_key = sealed.seal(lines[fine[0]], [sealed.Identity.generate().to_public()])
    with municipality.write() as session:
        envelope = session.execute(
            sa.select(INBOX.c.envelope).where(INBOX.c.record_id == damaged)
        ).scalar_one()
        session.execute(
            sa.update(INBOX)
            .where(INBOX.c.record_id == damaged)
            .values(
                envelope=envelope[:-20],
                content_hash=sealed_records.content_hash(envelope[:-20]),
            )
        )
        session.execute(
            sa.update(INBOX).where(INBOX.c.record_id == altered).values(envelope=other_key)
        )
        session.execute(
            sa.update(INBOX)
            .where(INBOX.c.record_id == fine[0])
            .values(envelope=other_key, content_hash=sealed_records.content_hash(other_key))
        )
    opening = ("inbox", "--identity", str(keys[0]), "--db", municipality.url, "--user", "kari")
    # A wrong passphrase: one line, nothing opened.
    code, output = run(*opening, env={"KOMPASS_PASSPHRASE": "not the passphrase"})
    assert code == 1, output
    assert len(output.strip().splitlines()) == 1, output
    with municipality.session() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(RECORD)).scalar() == 0
    code, output = run(*opening, env={"KOMPASS_PASSPHRASE": PASSPHRASE})
    assert code == 1
    assert f"Not opened: {damaged}: " in output
    assert f"Not opened: {altered}: inbox/{altered} does not match its content hash" in output
    assert f"Not opened: {fine[0]}: " in output
    assert "Envelopes opened: 1 new records, 0 already here, 3 left." in output
    with municipality.session() as session:
        opened = set(session.execute(sa.select(RECORD.c.id)).scalars())
        waiting = set(
            session.execute(
                sa.select(INBOX.c.record_id).where(INBOX.c.opened_at.is_(None))
            ).scalars()
        )
    assert opened == {fine[1]}
    assert waiting == {damaged, altered, fine[0]}


def test_sync_names_what_is_wrong_in_one_line(kiosk: Database, municipality: Database) -> None:
    code, output = run("sync", "--to", "sqlite:///elsewhere.sqlite3", "--db", kiosk.url)
    assert code == 1
    assert "PostgreSQL only" in output
    assert len(output.splitlines()) == 1
    # A role that may not insert (the municipality's user is not a kiosk role, but one whose
    # inbox is missing stands for a server that was never upgraded).
    bare = sa.make_url(municipality.url).update_query_dict({"options": "-csearch_path=nowhere"})
    with kiosk.write() as session:
        session.execute(
            sa.insert(SEALED).values(
                record_id=uuid.uuid4(), sealed_at=dt.datetime.now(dt.UTC),
                content_hash="a" * 64, envelope=b"sealed",
            )
        )  # fmt: skip
    code, output = run(
        "sync", "--to", bare.render_as_string(hide_password=False), "--db", kiosk.url
    )
    assert code == 1, output
    assert "kompass db kiosk-role" in output, output
    assert "kompass_test:kompass_test" not in output  # the password is not shown
    assert delivery.waiting(kiosk) == 1


def test_kiosk_role_sql_is_printed_for_a_dba_and_changes_nothing(municipality: Database) -> None:
    name = f"kiosk_{uuid.uuid4().hex[:10]}"
    code, output = run("db", "kiosk-role", name, "--sql", "--db", municipality.url)
    assert code == 0, output
    assert f"CREATE ROLE {name} LOGIN PASSWORD" in output
    assert "GRANT INSERT (record_id, content_hash, envelope, kiosk, sealed_at) ON" in output
    with municipality.session() as session:
        assert not session.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}
        ).first()
    code, output = run("db", "kiosk-role", "Robert'); DROP", "--db", municipality.url)
    assert code == 1
    assert "is not a role name" in output
