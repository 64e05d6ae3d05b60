"""Caseworker accounts: add, list, disable, change password, and log in.

Passwords are hashed with Argon2id (salted, slow). Failed logins are audited and
slowed down: from the third failure in a row an account waits before the next
attempt, twice as long each time, up to fifteen minutes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kompass_tui.i18n import N_, Msg, Nn_
from kompass_tui.storage import audit
from kompass_tui.storage.database import Database, StorageError
from kompass_tui.storage.models import Caseworker, utcnow

MIN_PASSWORD_LENGTH: Final = 10
FREE_FAILURES: Final = 2
FIRST_WAIT_SECONDS: Final = 5
MAX_WAIT_SECONDS: Final = 15 * 60
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_hasher = PasswordHasher()
#: Verified against when the user name is unknown, so that takes as long as a wrong password.
_DUMMY_HASH: Final = _hasher.hash("kompass: no such account")


class AccountError(StorageError):
    pass


class LoginFailed(AccountError):
    def __init__(self) -> None:
        super().__init__(Msg(N_("Wrong user name or password.")))


class LoginThrottled(AccountError):
    def __init__(self, seconds: int) -> None:
        super().__init__(
            Msg.plural(
                Nn_(
                    "Too many wrong passwords. Try again in %(n)d second.",
                    "Too many wrong passwords. Try again in %(n)d seconds.",
                ),
                seconds,
            )
        )
        self.seconds = seconds


def wait_after(failures: int) -> int:
    """Seconds an account waits after ``failures`` wrong passwords in a row."""
    if failures <= FREE_FAILURES:
        return 0
    return int(min(FIRST_WAIT_SECONDS * 2 ** (failures - FREE_FAILURES - 1), MAX_WAIT_SECONDS))


def check_username(username: str) -> str:
    cleaned = username.strip().lower()
    if not _USERNAME.match(cleaned):
        raise AccountError(
            Msg(N_("A user name has 2 to 40 small letters, digits, dots, hyphens or underscores."))
        )
    return cleaned


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            Msg.plural(
                Nn_(
                    "A password needs at least %(n)d character.",
                    "A password needs at least %(n)d characters.",
                ),
                MIN_PASSWORD_LENGTH,
            )
        )
    return password


def _user(session: Session, username: str) -> Caseworker:
    user = session.exec(select(Caseworker).where(Caseworker.username == username)).first()
    if user is None:
        raise AccountError(Msg(N_("There is no user %(name)s."), {"name": username}))
    return user


def add_user(db: Database, *, username: str, full_name: str, password: str) -> Caseworker:
    username = check_username(username)
    full_name = full_name.strip()
    if not full_name:
        raise AccountError(Msg(N_("Give the caseworker's full name.")))
    user = Caseworker(
        username=username, full_name=full_name, password_hash=_hasher.hash(check_password(password))
    )
    try:
        with db.write() as session:
            if session.exec(select(Caseworker.id).where(Caseworker.username == username)).first():
                raise AccountError(Msg(N_("The user %(name)s already exists."), {"name": username}))
            session.add(user)
            session.flush()
            audit.log(session, audit.Action.user_added, actor_name=username, username=username)
    except IntegrityError:
        raise AccountError(
            Msg(N_("The user %(name)s already exists."), {"name": username})
        ) from None
    return user


def list_users(db: Database) -> list[Caseworker]:
    with db.session() as session:
        return list(session.exec(select(Caseworker).order_by(col(Caseworker.username))))


def disable_user(db: Database, *, username: str) -> None:
    username = check_username(username)
    with db.write() as session:
        user = _user(session, username)
        user.active = False
        session.add(user)
        audit.log(session, audit.Action.user_disabled, actor_name=username, username=username)


def set_password(db: Database, *, username: str, password: str) -> None:
    username = check_username(username)
    digest = _hasher.hash(check_password(password))
    with db.write() as session:
        user = _user(session, username)
        user.password_hash = digest
        user.failed_logins = 0
        user.last_failed_at = None
        session.add(user)
        audit.log(session, audit.Action.password_changed, actor_id=user.id, username=username)


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(
    db: Database, *, username: str, password: str, now: dt.datetime | None = None
) -> Caseworker:
    """The caseworker for a user name and password; raises :class:`LoginFailed` or
    :class:`LoginThrottled`. Every attempt is audited."""
    now = now or utcnow()
    name = username.strip().lower()[:80]
    error: AccountError | None = None
    with db.write() as session:
        user = session.exec(select(Caseworker).where(Caseworker.username == name)).first()
        if user is None or not user.active:
            _verify(_DUMMY_HASH, password)
            audit.log(
                session, audit.Action.login_failed, actor_name=name, reason="unknown or disabled"
            )
            error = LoginFailed()
        else:
            wait = wait_after(user.failed_logins)
            if (
                wait
                and user.last_failed_at
                and now < user.last_failed_at + dt.timedelta(seconds=wait)
            ):
                remaining = (
                    int((user.last_failed_at + dt.timedelta(seconds=wait) - now).total_seconds())
                    + 1
                )
                audit.log(
                    session,
                    audit.Action.login_refused,
                    actor_id=user.id,
                    actor_name=name,
                    wait=remaining,
                )
                error = LoginThrottled(remaining)
            elif not _verify(user.password_hash, password):
                user.failed_logins += 1
                user.last_failed_at = now
                audit.log(
                    session,
                    audit.Action.login_failed,
                    actor_id=user.id,
                    actor_name=name,
                    reason="password",
                )
                error = LoginFailed()
            else:
                user.failed_logins = 0
                user.last_failed_at = None
                if _hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = _hasher.hash(password)
                audit.log(session, audit.Action.login, actor_id=user.id, actor_name=name)
            session.add(user)
    if error is not None:
        raise error
    assert user is not None
    return user
