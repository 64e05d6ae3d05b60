"""``kompass sync`` killed (SIGKILL) at random moments, 50 times, with the municipality's
PostgreSQL crashed and restarted in the middle: every record arrives exactly once, none is
lost, and none leaves the kiosk before the server has it. The server is the test's own
(tests/support/private_postgres.py), so crashing it disturbs no other test."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.exchange import sealed
from kompass_tui.exchange.sealing import seal_sent
from kompass_tui.storage import audit, records
from kompass_tui.storage.database import Database, open_database
from tests.support.helpers import TODAY, add_records
from tests.support.private_postgres import (
    REQUIRED,
    PrivateServer,
    binaries,
    wait_until_accepting,
)

pytestmark = pytest.mark.slow

KILLS = 50
#: The kills in chains that run side by side, each with a kiosk and a server of its own (one
#: after another they took a minute on a loaded two-core machine); each chain crashes its
#: server in its middle.
CHAINS = 2
#: Records added to the kiosk at a time, whenever fewer than this are left to deliver.
REFILL = 40
BATCH = 4
SEALED = SQLModel.metadata.tables["sealed_record"]
INBOX = SQLModel.metadata.tables["inbox"]


@pytest.fixture
def server() -> Iterator[PrivateServer]:
    found = binaries()
    if found is None:
        if REQUIRED:
            pytest.fail("KOMPASS_REQUIRE_PG is set but PostgreSQL's programs are not installed")
        pytest.skip("PostgreSQL's programs (initdb, pg_ctl) are not installed")
    made = PrivateServer(found)
    try:
        yield made
    finally:
        made.close()


class Kiosk:
    """The kiosk's database, refilled with sealed records as the syncs deliver them."""

    def __init__(self, db: Database, recipient: sealed.Recipient) -> None:
        self.db, self.recipient, self.added = db, recipient, 0

    def refill(self) -> None:
        add_records(self.db, REFILL, today=TODAY, start=self.added, with_answers=True)
        self.added += REFILL
        seal_sent(self.db, [self.recipient], kiosk="kiosk-9")

    def state(self) -> tuple[dict[uuid.UUID, str], set[uuid.UUID]]:
        """Every sealed record's hash, and those still waiting here."""
        with self.db.session() as session:
            rows = session.execute(
                sa.select(SEALED.c.record_id, SEALED.c.content_hash, SEALED.c.delivered_at)
            ).all()
        return {row[0]: row[1] for row in rows}, {row[0] for row in rows if row[2] is None}


def on_server(municipality: Database) -> dict[uuid.UUID, str]:
    with municipality.session() as session:
        return dict(session.execute(sa.select(INBOX.c.record_id, INBOX.c.content_hash)).all())


def check(kiosk: Kiosk, municipality: Database) -> None:
    sealed_here, waiting = kiosk.state()
    arrived = on_server(municipality)
    # Nothing left the kiosk before it arrived, nothing is lost, nothing came from elsewhere,
    # and what arrived is what was sealed.
    assert set(sealed_here) - waiting <= set(arrived)
    assert set(arrived) <= set(sealed_here)
    assert all(arrived[record_id] == sealed_here[record_id] for record_id in arrived)
    # Exactly once: each arrival was received (and audited by the server) once.
    received = audit.events(municipality, action=audit.Action.envelope_received, limit=100_000)
    ids = [event.record_id for event in received]
    assert len(ids) == len(set(ids)) == len(arrived)


def sync(url: str, kiosk_db: Database, home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kompass_tui", "sync", "--to", url, "--db", kiosk_db.url,
         "--batch", str(BATCH)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "KOMPASS_LOCALE": "en", "HOME": str(home),
             "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")},
    )  # fmt: skip


def lines_read(process: subprocess.Popen[str], count: int, seconds: float = 20) -> None:
    """Wait until the sync has reported ``count`` delivered batches (or ended)."""
    assert process.stdout is not None
    deadline = time.monotonic() + seconds
    while count > 0 and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.05)
        if ready:
            if not process.stdout.readline():
                return
            count -= 1


@pytest.mark.parametrize("chain", range(CHAINS))
def test_sync_killed_at_random_moments_delivers_every_record_exactly_once(
    server: PrivateServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chain: int
) -> None:
    kills = KILLS // CHAINS
    seed = random.randrange(2**32)
    print(f"chain {chain}, seed {seed}")
    chance = random.Random(seed)
    server.execute(
        "CREATE ROLE kommune LOGIN PASSWORD 'kommune' CREATEROLE",
        "CREATE DATABASE kommune OWNER kommune",
    )
    owner_url = server.url("kommune", "kommune", "kommune")
    municipality = open_database(owner_url)
    result = CliRunner().invoke(
        app, ["db", "kiosk-role", "kiosk_9", "--db", owner_url], env={"KOMPASS_LOCALE": "en"}
    )
    assert result.exit_code == 0, result.output
    kiosk_url = result.output.split("kompass sync --to ")[1].split()[0]
    # The identifier tags are made here, not by the sync, so their cost does not matter.
    monkeypatch.setattr(records, "RESUME_HASH_TIME_COST", 1)
    monkeypatch.setattr(records, "RESUME_HASH_MEMORY_KIB", 8)
    monkeypatch.setattr(records, "RESUME_HASH_PARALLELISM", 1)
    kiosk = Kiosk(
        open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"),
        sealed.Identity.generate().to_public(),
    )
    kiosk.refill()
    try:
        for kill in range(kills):
            if len(kiosk.state()[1]) < REFILL:
                kiosk.refill()
            process = sync(kiosk_url, kiosk.db, tmp_path)
            if kill == kills // 2:
                # The server crashes while the sync delivers, and comes back. The sync is held
                # still from its first batch until the server is down: stopping the server
                # takes longer than delivering the forty or more envelopes left, and a sync
                # left running had sometimes delivered them all first.
                lines_read(process, 1)
                process.send_signal(signal.SIGSTOP)
                try:
                    server.crash()
                finally:
                    process.send_signal(signal.SIGCONT)
                assert process.wait(timeout=30) == 1
                assert process.stderr is not None
                error = process.stderr.read()
                assert error.startswith("Error: "), error
                assert len(error.splitlines()) == 1, error
                server.start()
                wait_until_accepting(server)
                municipality.dispose()  # its pooled connections died with the server
                check(kiosk, municipality)
                continue
            if chance.random() < 0.5:
                lines_read(process, chance.randrange(4))
                time.sleep(chance.uniform(0, 0.02))
            else:
                time.sleep(chance.uniform(0.05, 0.7))  # from the start to the sync's end
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            check(kiosk, municipality)
        # A last sync, left alone, delivers the rest.
        process = sync(kiosk_url, kiosk.db, tmp_path)
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        sealed_here, waiting = kiosk.state()
        assert not waiting
        assert on_server(municipality) == sealed_here
        check(kiosk, municipality)
    finally:
        kiosk.db.dispose()
        municipality.dispose()
