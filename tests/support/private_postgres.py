"""A PostgreSQL server of a test's own, which the test may crash and restart without touching
the server the rest of the suite shares: a cluster made with ``initdb`` in a temporary folder,
listening on a free port of 127.0.0.1 (and a socket in the same folder)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

#: CI (``KOMPASS_REQUIRE_PG=1``) fails instead of skipping where PostgreSQL is missing.
REQUIRED = os.environ.get("KOMPASS_REQUIRE_PG") == "1"
PASSWORD = "private-superuser"


def binaries() -> Path | None:
    """The newest installed PostgreSQL's programs, or ``None``."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PrivateServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="kompass-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0  # PostgreSQL does not run as root: as postgres then
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD)
        if self.as_root:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth-local=trust",
            "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self.start()

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=on",
            "start",
        )  # fmt: skip

    def crash(self) -> None:
        """Stop at once, as a power cut would: no checkpoint, clients cut off."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, user: str = "postgres", password: str = PASSWORD, db: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}:{password}@127.0.0.1:{self.port}/{db}"

    def execute(self, *statements: str) -> None:
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", password=PASSWORD,
            dbname="postgres", autocommit=True,
        ) as connection:  # fmt: skip
            for statement in statements:
                connection.execute(statement)  # type: ignore[arg-type]

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def wait_until_accepting(server: PrivateServer, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            server.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
