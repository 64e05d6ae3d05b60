from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from kompass_tui.i18n import set_locale
from kompass_tui.storage.database import Database, open_database
from sporreskjema import Form, Questionnaire, Translator, load_builtin, translator
from sporreskjema.i18n import DEFAULT_LOCALE
from tests.support.helpers import TODAY


@pytest.fixture(scope="session")
def kompass() -> Questionnaire:
    return load_builtin()


@pytest.fixture
def form(kompass: Questionnaire) -> Form:
    return Form(kompass, today=TODAY)


#: Argon2id as cheap as it goes, for the tests that run the program in this process.
QUICK_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _quick_argon2(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Passwords, PINs and resume codes hashed with Argon2id at its lowest cost.

    At the real cost each hash is about 0.16 s of CPU on up to four threads, and the suite makes
    well over a thousand (every caseworker, kiosk PIN and new record): a quarter of its CPU time
    on a two-core machine. The code paths are the same; only the cost parameters change, and only
    in this process. The real parameters are checked by the tests marked ``real_argon2``, and
    the programs the end-to-end tests start (tests/e2e) hash at the real cost.
    """
    if request.node.get_closest_marker("real_argon2"):
        return
    from kompass_tui.kiosk import settings
    from kompass_tui.storage import accounts, records

    monkeypatch.setattr(accounts, "_hasher", QUICK_HASHER)
    monkeypatch.setattr(settings, "_hasher", QUICK_HASHER)
    monkeypatch.setattr(records, "RESUME_HASH_TIME_COST", 1)
    monkeypatch.setattr(records, "RESUME_HASH_MEMORY_KIB", 8)
    monkeypatch.setattr(records, "RESUME_HASH_PARALLELISM", 1)


@pytest.fixture(autouse=True, scope="session")
def _css_parsed_once() -> Iterator[None]:
    """Each app a test starts parses the same Textual CSS (the kiosk's, every widget's) that
    the app before it parsed: the rules of a CSS text and theme come from memory after the
    first time in this worker. Textual keeps such a memory itself, for one app's lifetime, and
    never changes the rules it gives out; across the hundreds of apps a worker starts, parsing
    was a tenth of the UI tests' CPU time."""
    from textual.css.stylesheet import Stylesheet

    real = Stylesheet._parse_rules
    #: (the CSS, where from, its place among the rules, the theme's variables) → the rules.
    parsed: dict[tuple[object, ...], list[Any]] = {}

    def parse_rules(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[Any]:
        key = (
            css,
            read_from,
            is_default_rules,
            tie_breaker,
            scope,
            *sorted(self._variables.items()),
        )
        if key not in parsed:
            parsed[key] = real(self, css, read_from, is_default_rules, tie_breaker, scope)
        return parsed[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Stylesheet, "_parse_rules", parse_rules)
        yield


@pytest.fixture(autouse=True, scope="session")
def _key_files_opened_once() -> Iterator[None]:
    """A key file that its passphrase has opened once opens again from memory.

    age stretches the passphrase with scrypt, tuned to a second of a core (here up to three,
    and 256 MiB) each time, and the sealing tests open the same few key files again and again:
    nearly a tenth of the suite's CPU time on a two-core machine. The same bytes and passphrase
    always give the same key, so nothing a test sees changes: the first opening of each file is
    real, a wrong passphrase still goes through scrypt and is refused, and a test that replaces
    ``pyrage.passphrase.decrypt`` (the busy machine's retries) replaces this too.
    """
    import pyrage

    real = pyrage.passphrase.decrypt
    #: (the file's bytes, the passphrase) → what it holds.
    opened: dict[tuple[bytes, str], bytes] = {}

    def decrypt(data: bytes, passphrase: str) -> bytes:
        key = (bytes(data), passphrase)
        if key not in opened:
            opened[key] = real(data, passphrase)
        return opened[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pyrage.passphrase, "decrypt", decrypt)
        yield


@pytest.fixture(scope="session")
def en() -> Translator:
    return translator("en")


@pytest.fixture(scope="session")
def nb() -> Translator:
    return translator("nb")


# ---------------------------------------------------------------- parallel runs


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """How many workers `-n auto` (the default, see pyproject.toml) starts: four for each core
    this process may use, at most sixteen.

    More workers than cores, because much of the suite waits rather than computes: Pilot
    pauses for the screen to settle, tmux tests poll a real terminal, the fault tests wait
    for killed processes and for the database to recover, PostgreSQL answers over a socket.
    While one worker waits another computes: on two cores, eight workers took the suite from
    8 min 13 s (four) to 6 min 20 s. More than that only adds the cost of starting workers
    (each imports Textual and the catalogs) and PostgreSQL connections.
    `KOMPASS_TEST_WORKERS` sets the number outright.
    """
    wanted = os.environ.get("KOMPASS_TEST_WORKERS", "")
    if wanted.isdigit():
        return int(wanted)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(16, 4 * cores)


#: The garbage collector's thresholds while the tests run (Python's own: 700, 10, 10).
TEST_GC_THRESHOLDS: Final = (20_000, 20, 20)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once the tests are collected, what is alive (Textual, SQLAlchemy, the catalogs, the
    test modules: all kept to the end) is left out of every later collection, and collections
    come less often. Each app a test starts makes and drops objects by the hundred thousand:
    with Python's thresholds the collector took a quarter of the UI tests' CPU time, with
    these a tenth. The programs the tests start (tests/e2e, the fault tests) keep Python's."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*TEST_GC_THRESHOLDS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest tests (marked ``slow`` or ``monkey``) first, one at the head of each
    worker's share: a minute-long test that starts last keeps the whole run waiting for it.

    pytest-xdist's worksteal hands each worker one contiguous share of this list to begin
    with (``len(rest) // workers left``, in order); the order is built to match, so that
    each share begins with its slow tests. Every worker collects and orders alike."""

    def slow(item: pytest.Item) -> bool:
        return bool(item.get_closest_marker("slow") or item.get_closest_marker("monkey"))

    long_ones = [item for item in items if slow(item)]
    others = [item for item in items if not slow(item)]
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    shares: list[list[pytest.Item]] = [[] for _ in range(workers)]
    for index, item in enumerate(long_ones):
        shares[index % workers].append(item)
    left = len(items)
    for number, share in enumerate(shares):
        size = left // (workers - number)
        left -= size
        take = max(0, size - len(share))
        share.extend(others[:take])
        del others[:take]
    shares[-1].extend(others)
    items[:] = [item for share in shares for item in share]


# ---------------------------------------------------------------- storage

#: A PostgreSQL server for the storage tests (`bash .ci/run` provides one).
PG_URL = os.environ.get("KOMPASS_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("KOMPASS_REQUIRE_PG") == "1"


@pytest.fixture(autouse=True)
def _own_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test touches the real user's database or settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("KOMPASS_DB", raising=False)
    # No test plays sound on the machine that runs it (a test of reading aloud sets its own).
    monkeypatch.setenv("KOMPASS_AUDIO_PLAYER", "off")


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """The application's language and its bidi mode are process-wide: each test starts and
    ends in bokmål, with right-to-left text shaped and ordered by Kompass (the default). A
    test worker runs hundreds of tests; one that left ``--bidi terminal`` behind once made a
    later Arabic snapshot differ at random."""
    from kompass_tui.widgets import bidi

    set_locale(DEFAULT_LOCALE)
    bidi.set_mode(bidi.DEFAULT_MODE)
    yield
    set_locale(DEFAULT_LOCALE)
    bidi.set_mode(bidi.DEFAULT_MODE)


def postgres_url() -> str:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("KOMPASS_REQUIRE_PG is set but KOMPASS_TEST_PG_URL is not")
        pytest.skip("no PostgreSQL server: set KOMPASS_TEST_PG_URL (bash .ci/run does)")
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each back end: an SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kompass.sqlite3'}"
        return
    yield from _postgres_schema()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema, for what only PostgreSQL does."""
    yield from _postgres_schema()


def _postgres_schema() -> Iterator[str]:
    admin = sa.create_engine(postgres_url())
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file that the migrations have made, once for each worker: a test's open
    database is a copy of it, as the migrations would have left it (a first open of a new file,
    which runs them, is tested where it is the point: tests/storage, tests/project)."""
    path = tmp_path_factory.mktemp("migrated") / "kompass.sqlite3"
    open_database(f"sqlite:///{path}").dispose()  # the last connection folds the WAL in
    return path


def _fresh_copy(template: Path, url: str) -> None:
    """The migrated template where ``url``'s SQLite file is to be, if that is still empty."""
    path = Path(sa.make_url(url).database or "")
    if sa.make_url(url).get_backend_name() == "sqlite" and not path.exists():
        shutil.copy2(template, path)  # its owner-only mode too


@pytest.fixture
def db(db_url: str, migrated_sqlite: Path) -> Iterator[Database]:
    _fresh_copy(migrated_sqlite, db_url)
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Database]:
    """The kiosk's own default back end (the UI tests need no second one)."""
    url = f"sqlite:///{tmp_path / 'kompass.sqlite3'}"
    _fresh_copy(migrated_sqlite, url)
    database = open_database(url)
    try:
        yield database
    finally:
        database.dispose()
