"""Caseworker accounts and logins, through the command line and the login function."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.storage import accounts, audit
from kompass_tui.storage.database import Database, open_database
from kompass_tui.storage.models import Caseworker
from sporreskjema.i18n import translator

runner = CliRunner()
PASSWORD = "correct horse battery"


def cli(
    db_url: str,
    *args: str,
    input: str | None = None,
    login: tuple[str, str] | None = None,
    locale: str = "en",
) -> tuple[int, str]:
    """``kompass user ARGS``; ``login``: the user name and password given as a script would."""
    env = {"KOMPASS_LOCALE": locale}
    extra: list[str] = []
    if login is not None:
        extra = ["--user", login[0]]
        env["KOMPASS_PASSWORD"] = login[1]
    result = runner.invoke(app, ["user", *args, "--db", db_url, *extra], input=input, env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


ADMIN = ("kari.nordmann", PASSWORD)


@pytest.mark.parametrize("locale", ["nb", "uk", "ar", "ti"])
def test_a_repeated_password_that_differs_is_asked_for_again_in_the_user_s_language(
    db_url: str, locale: str
) -> None:
    """Typer's own check said "Error: The two entered values do not match." in English."""
    typed = "first password 1\nsecond password 2\nthird password 3\nthird password 3\n"
    code, output = cli(db_url, "add", ADMIN[0], "--name", "Kari", input=typed, locale=locale)
    assert code == 0, output
    assert "do not match" not in output
    assert translator(locale).gettext("The two passwords are not the same. Try again.") in output
    assert output.count(translator(locale).gettext("New password")) == 2
    db = open_database(db_url)
    try:
        assert accounts.authenticate(db, username=ADMIN[0], password="third password 3")
    finally:
        db.dispose()


def test_add_list_disable_enable_passwd(db_url: str) -> None:
    code, output = cli(
        db_url, "add", "Kari.Nordmann", "--name", "Kari Nordmann", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0, output
    assert "Added kari.nordmann (Kari Nordmann)." in output
    assert "kari.nordmann is an administrator." in output  # the first account
    assert PASSWORD not in output
    code, output = cli(
        db_url, "add", "ola", "--name", "Ola", input=f"{PASSWORD}\n{PASSWORD}\n", login=ADMIN
    )
    assert code == 0, output
    assert "administrator" not in output
    code, output = cli(db_url, "list")
    assert [line.split()[:3] for line in output.splitlines()] == [
        ["kari.nordmann", "active", "administrator"], ["ola", "active", "Ola"],
    ]  # fmt: skip
    code, output = cli(
        db_url, "passwd", "ola", input="another password 2\nanother password 2\n", login=ADMIN
    )
    assert code == 0, output
    code, output = cli(db_url, "disable", "ola", login=ADMIN)
    assert code == 0, output
    code, output = cli(db_url, "list")
    assert "disabled" in output.splitlines()[1]
    code, output = cli(db_url, "enable", "ola", login=ADMIN)
    assert (code, output.strip()) == (0, "Enabled ola.")
    code, output = cli(db_url, "admin", "ola", login=ADMIN)
    assert (code, output.strip()) == (0, "ola is an administrator.")
    code, output = cli(db_url, "admin", "ola", "--revoke", login=("ola", "another password 2"))
    assert (code, output.strip()) == (0, "ola is no longer an administrator.")


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["add", "x", "--name", "X"], f"{PASSWORD}\n{PASSWORD}\n", "A user name has 2 to 40"),
        (["add", "kari", "--name", "Kari"], "short\nshort\n", "at least 10 characters"),
        (["add", "kari", "--name", "  "], f"{PASSWORD}\n{PASSWORD}\n", "full name"),
        (["add", "admin", "--name", "A"], f"{PASSWORD}\n{PASSWORD}\n", "already exists"),
        (["disable", "nobody"], None, "There is no user nobody."),
        (["enable", "nobody"], None, "There is no user nobody."),
        (["passwd", "nobody"], f"{PASSWORD}\n{PASSWORD}\n", "There is no user nobody."),
        (["disable", "admin"], None, "admin is the last active administrator."),
        (["admin", "admin", "--revoke"], None, "admin is the last active administrator."),
    ],
)
def test_bad_input(db: Database, args: list[str], stdin: str | None, words: str) -> None:
    accounts.add_user(db, username="admin", full_name="Admin", password=PASSWORD)
    code, output = cli(db.url, *args, input=stdin, login=("admin", PASSWORD))
    assert code == 1
    assert words in output.strip().splitlines()[-1]


def _events(db: Database, action: audit.Action) -> list[tuple[int | None, str]]:
    return [(e.actor_id, e.detail.get("username", "")) for e in audit.events(db, action=action)]


def test_account_commands_need_an_administrators_login(db: Database) -> None:
    """Without a login, with a wrong password or with an ordinary caseworker's login, no
    account command changes anything, and each says why in one line."""
    kari = accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    ola = accounts.add_user(db, username="ola", full_name="Ola", password="ola password 1")
    new = f"{PASSWORD}\n{PASSWORD}\n"
    commands = [
        ["add", "eve", "--name", "Eve"], ["add", "eve", "--name", "Eve", "--admin"],
        ["passwd", "kari"], ["disable", "kari"], ["enable", "kari"], ["admin", "ola"],
        ["admin", "kari", "--revoke"],
    ]  # fmt: skip
    for args in commands:
        code, output = cli(db.url, *args, input=new)  # no login: the prompts get nothing
        assert code != 0, (args, output)
        code, output = cli(db.url, *args, input=new, login=("kari", "wrong password"))
        assert code == 1, (args, output)
        assert output.strip().splitlines()[-1] == "Error: Wrong user name or password."
        accounts.authenticate(db, username="kari", password=PASSWORD)  # no slowdown here
        code, output = cli(db.url, *args, input=new, login=("ola", "ola password 1"))
        assert code == 1, (args, output)
        assert output.strip().splitlines()[-1] in (
            "Error: ola is not an administrator: only an administrator can change accounts.",
            "Error: ola is not an administrator: you can change only your own password.",
        ), args
    users = {u.username: u for u in accounts.list_users(db)}
    assert set(users) == {"kari", "ola"}
    assert users["kari"].active
    assert users["kari"].is_admin
    assert not users["ola"].is_admin
    assert accounts.authenticate(db, username="kari", password=PASSWORD).id == kari.id
    assert accounts.authenticate(db, username="ola", password="ola password 1").id == ola.id
    for action in (audit.Action.password_changed, audit.Action.user_disabled,
                   audit.Action.user_enabled, audit.Action.admin_granted,
                   audit.Action.admin_revoked):  # fmt: skip
        assert _events(db, action) == [], action
    assert len(audit.events(db, action=audit.Action.user_added)) == 2


def test_the_first_account_needs_no_login_and_is_an_administrator(db: Database) -> None:
    code, output = cli(db.url, "add", "kari", "--name", "Kari", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0, output
    (first,) = accounts.list_users(db)
    assert first.is_admin
    # from now on the program asks who is adding the next one
    code, output = cli(db.url, "add", "ola", "--name", "Ola", input=f"kari\n{PASSWORD}\n"
                       f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert code == 0, output
    assert "Password:" in output
    ola = accounts.authenticate(db, username="ola", password=PASSWORD)
    assert not ola.is_admin
    assert _events(db, audit.Action.user_added) == [(first.id, "ola"), (None, "kari")]
    # and the way without a login is closed in the storage too, even for a racing program
    with pytest.raises(accounts.NotAllowed):
        accounts.add_user(db, username="eve", full_name="Eve", password=PASSWORD, only_first=True)


def test_changes_are_audited_as_the_one_who_made_them(db: Database) -> None:
    kari = accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    code, output = cli(
        db.url, "add", "ola", "--name", "Ola", input=f"{PASSWORD}\n{PASSWORD}\n",
        login=("kari", PASSWORD),
    )  # fmt: skip
    assert code == 0, output
    ola = accounts.authenticate(db, username="ola", password=PASSWORD)
    # ola changes their own password: the login is the old one
    code, output = cli(db.url, "passwd", "ola", input=f"ola\n{PASSWORD}\nola's new password\n"
                       "ola's new password\n")  # fmt: skip
    assert code == 0, output
    assert accounts.authenticate(db, username="ola", password="ola's new password").id == ola.id
    # kari, the administrator, sets it again, disables ola, enables ola, makes ola an admin
    new = "set by kari 123\nset by kari 123\n"
    assert cli(db.url, "passwd", "ola", input=new, login=("kari", PASSWORD))[0] == 0
    for args in (["disable", "ola"], ["enable", "ola"], ["admin", "ola"]):
        assert cli(db.url, *args, login=("kari", PASSWORD))[0] == 0, args
    # and ola, now an administrator, takes it back from kari
    assert cli(db.url, "admin", "kari", "--revoke", login=("ola", "set by kari 123"))[0] == 0
    assert _events(db, audit.Action.password_changed) == [(kari.id, "ola"), (ola.id, "ola")]
    assert _events(db, audit.Action.user_added) == [(kari.id, "ola"), (None, "kari")]
    assert _events(db, audit.Action.user_disabled) == [(kari.id, "ola")]
    assert _events(db, audit.Action.user_enabled) == [(kari.id, "ola")]
    assert _events(db, audit.Action.admin_granted) == [(kari.id, "ola")]
    assert _events(db, audit.Action.admin_revoked) == [(ola.id, "kari")]


def test_storage_checks_the_administrator_too(db: Database) -> None:
    """The storage functions check the actor in the transaction of the change, whoever calls."""
    kari = accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    ola = accounts.add_user(db, username="ola", full_name="Ola", password=PASSWORD)
    assert kari.is_admin
    assert not ola.is_admin
    assert ola.id is not None
    assert kari.id is not None
    attempts = [
        lambda: accounts.add_user(db, username="eve", full_name="E", password=PASSWORD,
                                  actor_id=ola.id),
        lambda: accounts.disable_user(db, username="kari", actor_id=ola.id),
        lambda: accounts.enable_user(db, username="kari", actor_id=ola.id),
        lambda: accounts.set_admin(db, username="ola", admin=True, actor_id=ola.id),
        lambda: accounts.set_password(db, username="kari", password=PASSWORD * 2, actor_id=ola.id),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(accounts.NotAllowed):
            attempt()
    accounts.set_admin(db, username="ola", admin=True, actor_id=kari.id)
    accounts.disable_user(db, username="kari", actor_id=ola.id)
    # a disabled administrator is no administrator
    with pytest.raises(accounts.NotAllowed):
        accounts.enable_user(db, username="kari", actor_id=kari.id)
    with pytest.raises(accounts.NotAllowed):  # the last active one stays
        accounts.set_admin(db, username="ola", admin=False, actor_id=ola.id)
    accounts.enable_user(db, username="kari", actor_id=ola.id)
    assert accounts.authenticate(db, username="kari", password=PASSWORD).is_admin


def test_a_user_name_is_taken_once(db: Database) -> None:
    accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    with pytest.raises(accounts.AccountError):
        accounts.add_user(db, username="KARI", full_name="Kari 2", password=PASSWORD)


def test_passwords_are_salted_slow_hashes(db: Database) -> None:
    one = accounts.add_user(db, username="one", full_name="One", password=PASSWORD)
    two = accounts.add_user(db, username="two", full_name="Two", password=PASSWORD)
    assert one.password_hash.startswith("$argon2id$")
    assert one.password_hash != two.password_hash  # salted
    assert PASSWORD not in one.password_hash


def test_login(db: Database) -> None:
    accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    user = accounts.authenticate(db, username=" Kari ", password=PASSWORD)
    assert isinstance(user, Caseworker)
    assert user.username == "kari"
    assert audit.events(db, action=audit.Action.login)[0].actor_id == user.id


def test_wrong_password_unknown_and_disabled_users(db: Database) -> None:
    admin = accounts.add_user(db, username="admin", full_name="Admin", password=PASSWORD)
    accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, username="kari", password="wrong password")
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, username="nobody", password=PASSWORD)
    assert admin.id is not None
    accounts.disable_user(db, username="kari", actor_id=admin.id)
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, username="kari", password=PASSWORD)
    failed = audit.events(db, action=audit.Action.login_failed)
    assert [e.actor_name for e in failed] == ["kari", "nobody", "kari"]


def test_failed_logins_are_slowed_down(db: Database) -> None:
    accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    now = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    for _ in range(3):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(db, username="kari", password="guess", now=now)
    # now even the right password waits
    with pytest.raises(accounts.LoginThrottled) as caught:
        accounts.authenticate(
            db, username="kari", password=PASSWORD, now=now + dt.timedelta(seconds=1)
        )
    assert 0 < caught.value.seconds <= accounts.FIRST_WAIT_SECONDS
    assert audit.events(db, action=audit.Action.login_refused)
    # after the wait it works, and the count starts again
    later = now + dt.timedelta(seconds=accounts.FIRST_WAIT_SECONDS + 1)
    assert (
        accounts.authenticate(db, username="kari", password=PASSWORD, now=later).failed_logins == 0
    )


def test_the_wait_doubles_up_to_a_limit() -> None:
    assert [accounts.wait_after(n) for n in range(1, 7)] == [0, 0, 5, 10, 20, 40]
    assert accounts.wait_after(50) == accounts.MAX_WAIT_SECONDS


def test_parallel_wrong_passwords_are_counted_atomically(db: Database) -> None:
    """Twelve programs trying wrong passwords at the same moment check no more passwords than
    one after another would (FREE_FAILURES + 1), and every failure is counted: the rest wait."""
    import threading

    accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    now = dt.datetime.now(dt.UTC)
    tries = 12
    start = threading.Barrier(tries)
    outcomes: list[str] = []

    def attempt(guess: str) -> None:
        own = open_database(db.url)  # a program of its own, with its own connections
        try:
            start.wait()
            try:
                accounts.authenticate(own, username="kari", password=guess, now=now)
                outcomes.append("in")
            except accounts.LoginThrottled:
                outcomes.append("throttled")
            except accounts.LoginFailed:
                outcomes.append("failed")
        finally:
            own.dispose()

    threads = [threading.Thread(target=attempt, args=(f"guess {n:02d}",)) for n in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    allowed = accounts.FREE_FAILURES + 1
    assert sorted(outcomes) == ["failed"] * allowed + ["throttled"] * (tries - allowed)
    checked = [e for e in audit.events(db, action=audit.Action.login_failed)
               if e.detail.get("reason") == "password"]  # fmt: skip
    assert len(checked) == allowed
    assert len(audit.events(db, action=audit.Action.login_refused)) == tries - allowed
    (kari,) = accounts.list_users(db)
    assert kari.failed_logins == allowed


def test_a_right_password_takes_back_its_count(db: Database) -> None:
    """An attempt counts as a failure while its password is checked; a right one is then no
    failure, and the account starts again from nothing."""
    accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    now = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
    for _ in range(2):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(db, username="kari", password="guess", now=now)
    assert accounts.authenticate(db, username="kari", password=PASSWORD, now=now).failed_logins == 0
    (kari,) = accounts.list_users(db)
    assert (kari.failed_logins, kari.last_failed_at) == (0, None)


def test_a_password_typed_as_the_user_name_is_not_kept(db: Database) -> None:
    """A failed login's user name that cannot be one (a password typed into the wrong field)
    is not stored as typed: the audit says only that it was no user name."""
    accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    for typed in ("Correct Horse Battery!", "kari" + PASSWORD, "x", "kåre"):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(db, username=typed, password=PASSWORD)
    failed = audit.events(db, action=audit.Action.login_failed)
    assert [e.actor_name for e in failed] == [accounts.NOT_A_USER_NAME] * 4
    assert all("horse" not in str(e.detail) for e in failed)
