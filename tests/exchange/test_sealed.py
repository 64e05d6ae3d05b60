"""Sealed records: the municipality's keys, sealed exports that the ``age`` tool opens byte
for byte, and sealed imports that are all or nothing whatever is wrong with the key or the
envelope."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import time
from pathlib import Path
from typing import Any

import pyrage
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from kompass_tui.cli import app
from kompass_tui.exchange import importer, sealed
from kompass_tui.exchange.export import Format, export
from kompass_tui.exchange.records import Selection
from kompass_tui.storage.database import Database
from kompass_tui.storage.errors import StorageError
from sporreskjema import Questionnaire
from tests.support.exchange import PASSWORD, caseworker
from tests.support.helpers import TODAY, add_records

PASSPHRASE = "seven tired ravens at dawn"
LOGIN = {"KOMPASS_PASSWORD": PASSWORD, "KOMPASS_USER": "kari"}
needs_age = pytest.mark.skipif(shutil.which("age") is None, reason="the age tool is not here")


def _kompass(*args: str, locale: str = "en", **env: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"KOMPASS_LOCALE": locale, **LOGIN, **env})


@pytest.fixture(scope="module")
def made_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A key pair `kompass keys new` made, once for the module in each worker: sealing the
    private key with its passphrase (scrypt) takes a second of a core and 256 MiB."""
    folder = tmp_path_factory.mktemp("made") / "keys"
    result = _kompass("keys", "new", "--out", str(folder), KOMPASS_PASSPHRASE=PASSPHRASE)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def keys(made_keys: Path, tmp_path: Path) -> Path:
    """The pair, in this test's own folder (files and owner-only modes as made)."""
    return Path(shutil.copytree(made_keys, tmp_path / "keys"))


def _identity(keys: Path) -> list[sealed.Identity]:
    return sealed.read_identities(keys / sealed.IDENTITY_FILE, lambda: PASSPHRASE)


def _age(*args: str, passphrase: str | None = None) -> bytes:
    """The ``age`` tool run in a terminal of its own (it asks for a key's passphrase there
    only); what it wrote to ``-o``'s file is the caller's to read. Returns what it said."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execvp("age", ["age", *args])
    said, deadline = b"", time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            piece = os.read(fd, 1024)
        except OSError:
            break
        if not piece:
            break
        said += piece
        if passphrase is not None and b"passphrase" in said.lower():
            os.write(fd, passphrase.encode() + b"\n")
            passphrase = None
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, said
    return said


def test_new_keys_are_private_standard_and_never_overwritten(keys: Path) -> None:
    identity, recipient = keys / sealed.IDENTITY_FILE, keys / sealed.RECIPIENT_FILE
    assert identity.stat().st_mode & 0o777 == 0o600
    assert (keys.stat().st_mode & 0o777) == 0o700
    assert identity.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    assert b"AGE-SECRET-KEY" not in identity.read_bytes()
    public = [line for line in recipient.read_text().splitlines() if line.startswith("age1")]
    assert len(public) == 1
    assert str(_identity(keys)[0].to_public()) == public[0]
    again = _kompass("keys", "new", "--out", str(keys), KOMPASS_PASSPHRASE=PASSPHRASE)
    assert again.exit_code == 1
    assert "is there already; a key is never overwritten" in again.output
    assert str(_identity(keys)[0].to_public()) == public[0]


def test_a_new_key_wants_a_long_passphrase_typed_twice_alike(tmp_path: Path) -> None:
    short = _kompass("keys", "new", "--out", str(tmp_path / "a"), KOMPASS_PASSPHRASE="short")
    assert short.exit_code == 1
    assert "A passphrase has at least 12 characters." in short.output
    assert not (tmp_path / "a").exists()
    typed = CliRunner().invoke(
        app,
        ["keys", "new", "--out", str(tmp_path / "b")],
        input=f"short\n{PASSPHRASE}\nanother one entirely\n{PASSPHRASE}\n{PASSPHRASE}\n",
        env={"KOMPASS_LOCALE": "en"},
    )
    assert typed.exit_code == 0, typed.output
    assert "A passphrase has at least 12 characters." in typed.output
    assert "The two passphrases are not the same. Try again." in typed.output
    assert sealed.read_identities(tmp_path / "b" / sealed.IDENTITY_FILE, lambda: PASSPHRASE)


@needs_age
@pytest.mark.parametrize("fmt", list(Format))
def test_the_age_tool_opens_a_sealed_export_byte_for_byte(
    kiosk: Any, keys: Path, tmp_path: Path, fmt: Format
) -> None:
    """The same records exported clear and sealed (neither marks them, so both write them as
    they are): ``age``, with the passphrase typed at its prompt, gives back the clear files."""
    db, worker, _record_id = kiosk
    clear, sealed_out = tmp_path / f"clear.{fmt}", tmp_path / f"sealed.{fmt}"
    recipients = sealed.read_recipients(keys / sealed.RECIPIENT_FILE)
    made = export(db, fmt=fmt, out=clear, selection=Selection(), actor_id=worker, mark=False)
    result = export(
        db,
        fmt=fmt,
        out=sealed_out,
        selection=Selection(),
        actor_id=worker,
        mark=False,
        recipients=recipients,
    )
    assert len(result.files) == len(made.files)
    # The first file is opened as the municipality opens one, with the key file and its
    # passphrase; the others (CSV is a file per table) with the key it holds, as age-keygen
    # writes one, so that age's scrypt (seconds of work) is not done again for each.
    key_file, passphrase = keys / sealed.IDENTITY_FILE, PASSPHRASE
    clear_key = tmp_path / "clear-key.txt"
    clear_key.write_text(f"{_identity(keys)[0]}\n", "utf-8")
    clear_key.chmod(0o600)
    for plain, envelope in zip(made.files, result.files, strict=True):
        assert envelope.name == plain.name.replace("clear", "sealed") + ".age"
        data = envelope.read_bytes()
        assert data.startswith(b"age-encryption.org/v1\n")
        assert envelope.stat().st_mode & 0o777 == 0o600
        for secret in ("Rami Haddad", "2024 7777 1234", "20247777", "مهندس"):
            assert secret.encode() not in data
        opened = tmp_path / "opened"
        _age("-d", "-i", str(key_file), "-o", str(opened), str(envelope), passphrase=passphrase)
        assert opened.read_bytes() == plain.read_bytes()
        opened.unlink()
        key_file, passphrase = clear_key, None
    # Nothing clear was left beside them on the way.
    assert sorted(p.name for p in tmp_path.rglob("*.part")) == []


def test_a_sealed_export_is_big_and_still_one_envelope(
    kiosk: Any, keys: Path, tmp_path: Path
) -> None:
    """More than age's 64 KiB pieces: every piece is sealed and the envelope opens whole."""
    db, worker, _record_id = kiosk
    add_records(db, 300, today=TODAY)
    clear = export(db, fmt=Format.json, out=tmp_path / "a.json", selection=Selection(),
                   actor_id=worker, mark=False)  # fmt: skip
    envelope = export(db, fmt=Format.json, out=tmp_path / "b.json", selection=Selection(),
                      actor_id=worker, mark=False,
                      recipients=sealed.read_recipients(keys / sealed.RECIPIENT_FILE))  # fmt: skip
    plain = clear.files[0].read_bytes()
    assert len(plain) > 2 * 64 * 1024
    assert sealed.unseal(envelope.files[0].read_bytes(), _identity(keys), "b") == plain


def _counts(db: Database) -> tuple[int, ...]:
    """The rows of every table an import writes, and its audit events (the login's are not)."""
    with db.engine.connect() as connection:
        rows = tuple(
            connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("record", "answer", "remark", "correction")
        )
    return (*rows, sum(1 for action, _detail in _events(db) if action != "login"))


def _sealed_file(kiosk: Any, keys: Path, tmp_path: Path) -> Path:
    source, _worker, _record_id = kiosk
    out = tmp_path / "records.jsonl"
    result = _kompass(
        "export", "--db", source.url, "--format", "jsonl", "--out", str(out),
        "--recipient", str(keys / sealed.RECIPIENT_FILE),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Records exported: 1, to {out}.age"
    assert not out.exists()
    return Path(f"{out}.age")


def test_a_sealed_file_imports_once_with_the_key_and_its_passphrase(
    kiosk: Any, keys: Path, db: Database, tmp_path: Path
) -> None:
    envelope = _sealed_file(kiosk, keys, tmp_path)
    caseworker(db)
    key = str(keys / sealed.IDENTITY_FILE)
    result = _kompass("import", str(envelope), "--db", db.url, "--identity", key,
                      KOMPASS_PASSPHRASE=PASSPHRASE)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Records imported: 1 new, 0 already here." in result.output
    # The passphrase at a hidden prompt, as a person gives it; the same file again adds nothing.
    typed = CliRunner().invoke(
        app,
        ["import", str(envelope), "--db", db.url, "--identity", key],
        input=PASSPHRASE + "\n",
        env={"KOMPASS_LOCALE": "en", **LOGIN},
    )
    assert typed.exit_code == 0, typed.output
    assert "Passphrase for" in typed.output
    assert PASSPHRASE not in typed.output
    assert "Records imported: 0 new, 1 already here." in typed.output
    events = [e for e in _events(db) if e[0] == "imported"]
    assert [detail["sealed"] for _action, detail in events] == [True, True]


def _events(db: Database) -> list[tuple[str, dict[str, Any]]]:
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT action, detail FROM audit_event ORDER BY id"))
        return [
            (action, detail if isinstance(detail, dict) else json.loads(detail))
            for action, detail in rows
        ]


def _altered(data: bytes) -> bytes:
    at = len(data) - 40  # inside the last piece's ciphertext
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


BROKEN = {
    "wrong passphrase": (None, "The passphrase does not open the key"),
    "another key": ("another", "is sealed to another key; this key cannot open it."),
    "truncated": (lambda data: data[: len(data) - 30], "is damaged or was changed after it was sealed."),
    "altered": (_altered, "is damaged or was changed after it was sealed."),
    "cut at the header": (lambda data: data[:60], "is damaged or was changed after it was sealed."),
    "no key given": ("no key", "is sealed: give its key with --identity FILE."),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_key_or_envelope_imports_nothing(
    case: str, kiosk: Any, keys: Path, db: Database, tmp_path: Path
) -> None:
    envelope = _sealed_file(kiosk, keys, tmp_path)
    caseworker(db)
    before = _counts(db)
    change, message = BROKEN[case]
    key, passphrase = keys / sealed.IDENTITY_FILE, PASSPHRASE
    if case == "wrong passphrase":
        passphrase = "not the passphrase at all"
    elif change == "another":
        other = tmp_path / "other"
        assert _kompass("keys", "new", "--out", str(other),
                        KOMPASS_PASSPHRASE=PASSPHRASE).exit_code == 0  # fmt: skip
        key = other / sealed.IDENTITY_FILE
    elif callable(change):
        envelope.write_bytes(change(envelope.read_bytes()))
    args = ["import", str(envelope), "--db", db.url]
    if change != "no key":
        args += ["--identity", str(key)]
    result = _kompass(*args, KOMPASS_PASSPHRASE=passphrase)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: "), result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert _counts(db) == before


def test_an_import_refuses_an_envelope_in_python_too(kiosk: Any, keys: Path, db: Database,
                                                     tmp_path: Path) -> None:  # fmt: skip
    envelope = _sealed_file(kiosk, keys, tmp_path)
    worker = caseworker(db)
    envelope.write_bytes(envelope.read_bytes()[:-1])
    with pytest.raises(StorageError) as refused:
        importer.import_file(db, envelope, actor_id=worker, identities=_identity(keys))
    assert "damaged" in refused.value.message.msgid


@needs_age
def test_an_envelope_the_age_tool_made_imports(kiosk: Any, keys: Path, db: Database,
                                               tmp_path: Path) -> None:  # fmt: skip
    """The other way round: a clear export sealed by ``age`` itself imports."""
    source, worker, _record_id = kiosk
    clear = tmp_path / "clear.jsonl"
    export(source, fmt=Format.jsonl, out=clear, selection=Selection(), actor_id=worker)
    envelope = tmp_path / "by-age.jsonl.age"
    _age("-R", str(keys / sealed.RECIPIENT_FILE), "-a", "-o", str(envelope), str(clear))
    assert envelope.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    result = importer.import_file(db, envelope, actor_id=caseworker(db), identities=_identity(keys))
    assert result.new == 1


def test_a_sealed_export_to_a_full_disk_says_so_and_leaves_nothing(
    sqlite_db: Database, kompass: Questionnaire, keys: Path, full_disk: Path
) -> None:
    """The sealing meets the full disk in a thread of its own; the export says so all the
    same, and leaves nothing."""
    caseworker(sqlite_db)
    add_records(sqlite_db, 25, today=TODAY)  # far more than 8 KB sealed
    for fmt in Format:
        out = full_disk / f"all.{fmt}"
        result = _kompass(
            "export", "--db", sqlite_db.url, "--format", str(fmt), "--out", str(out),
            "--recipient", str(keys / sealed.RECIPIENT_FILE),
        )  # fmt: skip
        assert result.exit_code == 1, (fmt, result.output, result.exception)
        assert result.output.strip() == "Error: The disk is full; nothing was saved.", (
            fmt,
            result.output,
            result.exception,
            result.exit_code,
        )
        assert list(full_disk.iterdir()) == [], fmt
    assert not [e for e in _events(sqlite_db) if e[0] == "exported"]


def test_a_key_is_tried_again_when_age_finds_the_machine_too_busy(
    keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """age measures the machine's scrypt speed each time and refuses a key that would take
    far longer ("excessive work"): on a machine busy for a moment the key is tried again,
    and a machine busy each time says so, not that the passphrase is wrong."""
    real = pyrage.passphrase.decrypt
    refusals = iter([True, True])

    def busy_twice(data: bytes, passphrase: str) -> bytes:
        if next(refusals, False):
            raise pyrage.DecryptError("Excessive work parameter for passphrase.")
        return real(data, passphrase)

    monkeypatch.setattr(pyrage.passphrase, "decrypt", busy_twice)
    assert _identity(keys)

    def always_busy(data: bytes, passphrase: str) -> bytes:
        raise pyrage.DecryptError("Excessive work parameter for passphrase.")

    monkeypatch.setattr(pyrage.passphrase, "decrypt", always_busy)
    with pytest.raises(sealed.SealError) as busy:
        _identity(keys)
    assert "too busy" in busy.value.message.msgid
    monkeypatch.setattr(pyrage.passphrase, "decrypt", real)
    with pytest.raises(sealed.SealError) as wrong:
        sealed.read_identities(keys / sealed.IDENTITY_FILE, lambda: "not the passphrase")
    assert "does not open" in wrong.value.message.msgid
