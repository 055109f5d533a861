"""Officers' sign-in and password change (tài khoản cán bộ), throttled and audited.

Every refused sign-in gives the same answer, whether the username is unknown, the password
wrong, the account inactive or locked; the audit log (rows without a dossier) says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from app import settings
from app.i18n import _, _l
from app.models import User
from app.services.accounts import login_guard, sessions
from app.services.core import audit
from app.services.core.actors import Actor
from app.services.core.errors import InvalidInput, Unauthorized
from app.storage.db import db

REFUSED = _l("Sai tên đăng nhập hoặc mật khẩu")
HELD = _l("Đã nhập sai nhiều lần; vui lòng chờ ít phút rồi thử lại")
# A password longer than this is refused before hashing (hashing is the costly part).
MAX_PASSWORD = 256

# Messages for the password fields, named apart (bandit's B105 took them for passwords).
WRONG_CURRENT = _l("Mật khẩu hiện tại không đúng")
NOT_REPEATED = _l("Hai lần nhập mật khẩu mới không khớp")


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return generate_password_hash("not a password of anyone")


def _matches(user: User | None, password: str) -> bool:
    if len(password) > MAX_PASSWORD:
        return False
    ok = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    return ok and user is not None


def _actor(user: User | None, username: str) -> Actor:
    return Actor(user.id, user.full_name) if user else Actor(None, username[:64])


def sign_in(username: str, password: str, address: str) -> SignedIn:
    """A new server-side session for the officer; Unauthorized (one message for every reason)
    when the name or password is wrong, the account inactive, or the account or the address
    is held after earlier failures (then even a correct password is refused)."""
    username = username.strip()
    held = login_guard.holding(username, address)
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        matches = _matches(user, password)
        if held is None and matches and user is not None and user.active:
            login_guard.succeeded(username)
            return SignedIn(user, sessions.start(session, user_id=user.id))
        reason = held or ("unknown" if user is None else "password" if not matches else "inactive")
        actor = _actor(user, username)
        _record_failure(session, "login", actor, username, address, reason, held is None)
    raise Unauthorized(REFUSED)


def _record_failure(  # noqa: PLR0913 - the facts of one refused try
    session: Session, what: str, actor: Actor, username: str, address: str, reason: str, count: bool
) -> None:
    """Audit a refused try (`what`.failed, or `what`.refused when held by a lock or a wait);
    count a failed one against the account and the address, and audit each lock it caused."""
    who = {"username": username[:64], "address": address}
    kind = f"{what}.failed" if count else f"{what}.refused"
    audit.record(session, kind, actor, dossier_id=None, reason=reason, **who)
    if count:
        for scope in login_guard.failed(username, address):
            audit.record(
                session,
                "login.locked",
                actor,
                dossier_id=None,
                scope=str(scope),
                seconds=settings.current.LOGIN_LOCK_SECONDS,
                **who,
            )


def change_password(user_id: int, current: str, new: str, repeated: str, address: str) -> str:
    """Set the officer's new password once the current one is checked: every session of theirs
    ends and the token of a fresh one (for the caller) is returned. InvalidInput (422) names
    the field at fault; a wrong current password counts like a failed sign-in."""
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise Unauthorized(REFUSED)
        fields = _refusal(session, user, current, address) or _weak(user, current, new, repeated)
        if not fields:
            user.password_hash = generate_password_hash(new)
            ended = sessions.end_all_of_user(session, user.id)
            token = sessions.start(session, user_id=user.id)
            audit.record(
                session,
                "password.changed",
                _actor(user, user.username),
                dossier_id=None,
                sessions_ended=ended,
                address=address,
            )
            login_guard.succeeded(user.username)
            return token
    raise InvalidInput(next(iter(fields.values())), fields=fields)


def _refusal(session: Session, user: User, current: str, address: str) -> dict[str, str]:
    held = login_guard.holding(user.username, address)
    if held is None and _matches(user, current):
        return {}
    actor = _actor(user, user.username)
    reason = held or "password"
    _record_failure(session, "password", actor, user.username, address, reason, held is None)
    if held:
        return {"current_password": HELD}
    return {"current_password": WRONG_CURRENT}


def _weak(user: User, current: str, new: str, repeated: str) -> dict[str, str]:
    """What is wrong with the new password, by field; empty when it may be set."""
    shortest = settings.current.PASSWORD_MIN_LENGTH
    if len(new) < shortest:
        message = _("Mật khẩu mới cần ít nhất %(shortest)s ký tự", shortest=shortest)
    elif len(new) > MAX_PASSWORD:
        message = _("Mật khẩu mới dài quá %(most)s ký tự", most=MAX_PASSWORD)
    elif new.strip().casefold() == user.username.casefold():
        message = _("Mật khẩu mới không được trùng tên đăng nhập")
    elif new == current:
        message = _("Mật khẩu mới phải khác mật khẩu hiện tại")
    elif new != repeated:
        return {"new_password_again": NOT_REPEATED}
    else:
        return {}
    return {"new_password": message}
