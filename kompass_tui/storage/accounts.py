"""Caseworker accounts: add, list, disable, enable, change password, and log in.

Account administration is a role: the first account is an administrator, and only an
administrator adds, disables or enables accounts, makes others administrators or sets
another's password (a caseworker sets their own). Each change is audited under the one who
made it.

Passwords are hashed with Argon2id (salted, slow). Failed logins are audited and
slowed down by the rule of :mod:`kompass_tui.storage.backoff`: from the third failure in a
row an account waits before the next attempt, twice as long each time, up to fifteen minutes. The count is kept atomically:
an attempt is counted as a failure, under a row lock, before its password is checked (and
uncounted if it was right), so parallel attempts cannot check more passwords than one
after another could.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kompass_tui.i18n import N_, Msg, Nn_
from kompass_tui.storage import audit
from kompass_tui.storage.backoff import FIRST_WAIT_SECONDS as FIRST_WAIT_SECONDS
from kompass_tui.storage.backoff import FREE_FAILURES as FREE_FAILURES
from kompass_tui.storage.backoff import MAX_WAIT_SECONDS as MAX_WAIT_SECONDS
from kompass_tui.storage.backoff import wait_after as wait_after
from kompass_tui.storage.database import Database, StorageError
from kompass_tui.storage.models import Caseworker, utcnow

MIN_PASSWORD_LENGTH: Final = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
#: What the audit keeps of a failed login's user name that cannot be one (a password typed
#: into the wrong field, say): the text itself is never stored.
NOT_A_USER_NAME: Final = "(not a user name)"
_hasher = PasswordHasher()
#: Verified against when the user name is unknown, so that takes as long as a wrong password.
_DUMMY_HASH: Final = _hasher.hash("kompass: no such account")


class AccountError(StorageError):
    pass


class NotAllowed(AccountError):
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


def _user(session: Session, username: str, *, lock: bool = False) -> Caseworker:
    query = select(Caseworker).where(Caseworker.username == username)
    user = session.exec(query.with_for_update() if lock else query).first()
    if user is None:
        raise AccountError(Msg(N_("There is no user %(name)s."), {"name": username}))
    return user


def _lock_accounts(session: Session) -> None:
    """Make account changes that depend on the other accounts (the first account, the last
    administrator) wait for one another. SQLite's write transaction is serial already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("LOCK TABLE caseworker IN SHARE ROW EXCLUSIVE MODE"))


def _admin(session: Session, actor_id: int) -> Caseworker:
    """The acting administrator, checked in the transaction of the change."""
    actor = session.get(Caseworker, actor_id)
    if actor is None or not actor.active or not actor.is_admin:
        raise NotAllowed(Msg(N_("Only an administrator can change accounts.")))
    return actor


def _other_active_admins(session: Session, user: Caseworker) -> int:
    return len(
        session.exec(
            select(Caseworker.id).where(
                col(Caseworker.is_admin), col(Caseworker.active), Caseworker.id != user.id
            )
        ).all()
    )


def has_users(db: Database) -> bool:
    """Whether any account exists (an imported one included)."""
    with db.session() as session:
        return session.exec(select(Caseworker.id).limit(1)).first() is not None


def add_user(
    db: Database,
    *,
    username: str,
    full_name: str,
    password: str,
    admin: bool = False,
    actor_id: int | None = None,
    only_first: bool = False,
) -> Caseworker:
    """Add an account. The first account is always an administrator.

    ``actor_id``: the administrator who adds it (checked here, and audited as the one who did
    it); ``None`` for the program itself. ``only_first``: add it only if there is no account at
    all yet (``kompass user add`` without a login)."""
    username = check_username(username)
    full_name = full_name.strip()
    if not full_name:
        raise AccountError(Msg(N_("Give the caseworker's full name.")))
    digest = _hasher.hash(check_password(password))
    try:
        with db.write() as session:
            _lock_accounts(session)
            first = session.exec(select(Caseworker.id).limit(1)).first() is None
            if only_first and not first:
                raise NotAllowed(
                    Msg(N_("There are accounts already: log in as an administrator to add one."))
                )
            if actor_id is not None:
                _admin(session, actor_id)
            if session.exec(select(Caseworker.id).where(Caseworker.username == username)).first():
                raise AccountError(Msg(N_("The user %(name)s already exists."), {"name": username}))
            user = Caseworker(
                username=username,
                full_name=full_name,
                password_hash=digest,
                is_admin=admin or first,
            )
            session.add(user)
            session.flush()
            audit.log(
                session,
                audit.Action.user_added,
                actor_id=actor_id,
                actor_name=None if actor_id is not None else username,
                username=username,
                admin=user.is_admin,
            )
    except IntegrityError:
        raise AccountError(
            Msg(N_("The user %(name)s already exists."), {"name": username})
        ) from None
    return user


def list_users(db: Database) -> list[Caseworker]:
    with db.session() as session:
        return list(session.exec(select(Caseworker).order_by(col(Caseworker.username))))


def _keep_an_admin(session: Session, user: Caseworker) -> None:
    if user.is_admin and user.active and not _other_active_admins(session, user):
        raise NotAllowed(
            Msg(
                N_(
                    "%(name)s is the last active administrator. Make another account an administrator first."
                ),
                {"name": user.username},
            )
        )


def disable_user(db: Database, *, username: str, actor_id: int) -> None:
    """Disable an account (an administrator's change): it can no longer log in."""
    username = check_username(username)
    with db.write() as session:
        _lock_accounts(session)
        _admin(session, actor_id)
        user = _user(session, username)
        _keep_an_admin(session, user)
        user.active = False
        session.add(user)
        audit.log(session, audit.Action.user_disabled, actor_id=actor_id, username=username)


def enable_user(db: Database, *, username: str, actor_id: int) -> None:
    """Enable a disabled account again (an administrator's change), with no failed logins. An
    account an import added has no password until one is set (``set_password``)."""
    username = check_username(username)
    with db.write() as session:
        _admin(session, actor_id)
        user = _user(session, username, lock=True)
        user.active = True
        user.failed_logins = 0
        user.last_failed_at = None
        session.add(user)
        audit.log(session, audit.Action.user_enabled, actor_id=actor_id, username=username)


def set_admin(db: Database, *, username: str, admin: bool, actor_id: int) -> None:
    """Make an account an administrator, or an ordinary account (an administrator's change);
    the last active administrator stays one."""
    username = check_username(username)
    with db.write() as session:
        _lock_accounts(session)
        _admin(session, actor_id)
        user = _user(session, username)
        if not admin:
            _keep_an_admin(session, user)
        user.is_admin = admin
        session.add(user)
        audit.log(
            session,
            audit.Action.admin_granted if admin else audit.Action.admin_revoked,
            actor_id=actor_id,
            username=username,
        )


def set_password(db: Database, *, username: str, password: str, actor_id: int) -> None:
    """Set an account's password: its own caseworker's change, or an administrator's."""
    username = check_username(username)
    digest = _hasher.hash(check_password(password))
    with db.write() as session:
        user = _user(session, username, lock=True)
        if user.id != actor_id:
            _admin(session, actor_id)
        user.password_hash = digest
        user.failed_logins = 0
        user.last_failed_at = None
        session.add(user)
        audit.log(session, audit.Action.password_changed, actor_id=actor_id, username=username)


def _verify(digest: str, password: str) -> bool:
    try:
        return _hasher.verify(digest, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def tried_name(username: str) -> str:
    """A failed login's user name as the audit keeps it: lowercase, and only if it can be one."""
    name = username.strip().lower()
    return name if _USERNAME.match(name) else NOT_A_USER_NAME


def _waiting(user: Caseworker, now: dt.datetime) -> int:
    """Seconds ``user`` must still wait before a password is checked (0: none)."""
    wait = wait_after(user.failed_logins)
    if not wait or user.last_failed_at is None:
        return 0
    until = user.last_failed_at + dt.timedelta(seconds=wait)
    return int((until - now).total_seconds()) + 1 if now < until else 0


def authenticate(
    db: Database, *, username: str, password: str, now: dt.datetime | None = None
) -> Caseworker:
    """The caseworker for a user name and password; raises :class:`LoginFailed` or
    :class:`LoginThrottled`. Every attempt is audited.

    Three short transactions, so that the slow hash is checked under no lock: the first
    checks the wait and, under a lock on the account's row, counts the attempt as a failure
    before its password is checked; the second (after the check) records the outcome, and
    a right password takes the failure back. Parallel attempts therefore see each other's
    failures, and no more passwords are checked than one attempt after another would."""
    now = now or utcnow()
    name = tried_name(username)
    waiting = 0
    user_id: int | None = None
    digest = _DUMMY_HASH
    with db.write() as session:
        user = session.exec(
            select(Caseworker).where(Caseworker.username == name).with_for_update()
        ).first()
        if user is not None and user.active:
            user_id = user.id
            waiting = _waiting(user, now)
            if waiting:
                audit.log(
                    session, audit.Action.login_refused, actor_id=user_id, actor_name=name,
                    wait=waiting,
                )  # fmt: skip
            else:
                digest = user.password_hash
                user.failed_logins += 1
                user.last_failed_at = now
                session.add(user)
    if waiting:
        raise LoginThrottled(waiting)
    right = _verify(digest, password)
    with db.write() as session:
        user = None if user_id is None else session.get(Caseworker, user_id, with_for_update=True)
        if user is None or not user.active:
            audit.log(
                session, audit.Action.login_failed, actor_id=user_id, actor_name=name,
                reason="unknown or disabled" if user_id is None else "disabled",
            )  # fmt: skip
            right = False
        elif not right:
            audit.log(
                session, audit.Action.login_failed, actor_id=user_id, actor_name=name,
                reason="password",
            )  # fmt: skip
        else:
            user.failed_logins = 0
            user.last_failed_at = None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            session.add(user)
            audit.log(session, audit.Action.login, actor_id=user_id, actor_name=name)
    if not right:
        raise LoginFailed()
    assert user is not None
    return user
