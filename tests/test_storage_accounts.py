"""Caseworker accounts and logins, through the command line and the login function."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from kompass_tui.cli import app
from kompass_tui.storage import accounts, audit
from kompass_tui.storage.database import Database
from kompass_tui.storage.models import Caseworker

runner = CliRunner()
PASSWORD = "correct horse battery"


def cli(db_url: str, *args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(
        app, ["user", *args, "--db", db_url], input=input, env={"KOMPASS_LOCALE": "en"}
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_add_list_disable_passwd(db_url: str) -> None:
    code, output = cli(
        db_url, "add", "Kari.Nordmann", "--name", "Kari Nordmann", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert code == 0, output
    assert "Added kari.nordmann (Kari Nordmann)." in output
    assert PASSWORD not in output
    code, output = cli(db_url, "list")
    assert "kari.nordmann" in output
    assert "active" in output
    code, output = cli(
        db_url, "passwd", "kari.nordmann", input="another password 2\nanother password 2\n"
    )
    assert code == 0, output
    code, output = cli(db_url, "disable", "kari.nordmann")
    assert code == 0
    code, output = cli(db_url, "list")
    assert "disabled" in output


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["add", "x", "--name", "X"], f"{PASSWORD}\n{PASSWORD}\n", "A user name has 2 to 40"),
        (["add", "kari", "--name", "Kari"], "short\nshort\n", "at least 10 characters"),
        (["add", "kari", "--name", "  "], f"{PASSWORD}\n{PASSWORD}\n", "full name"),
        (["disable", "nobody"], None, "There is no user nobody."),
        (["passwd", "nobody"], f"{PASSWORD}\n{PASSWORD}\n", "There is no user nobody."),
    ],
)
def test_bad_input(db_url: str, args: list[str], stdin: str | None, words: str) -> None:
    code, output = cli(db_url, *args, input=stdin)
    assert code == 1
    assert words in output.strip().splitlines()[-1]


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
    accounts.add_user(db, username="kari", full_name="Kari", password=PASSWORD)
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, username="kari", password="wrong password")
    with pytest.raises(accounts.LoginFailed):
        accounts.authenticate(db, username="nobody", password=PASSWORD)
    accounts.disable_user(db, username="kari")
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
