"""Throttling of password guesses (chống dò mật khẩu), per account and per client address,
with counters in Redis that expire on their own (shared by every web process).

After each failure the next try waits longer (LOGIN_DELAY_BASE * 2**(failures - 1) s, capped);
enough failures within the window lock the account or the address for a while. A try during a
wait or a lock is refused without looking at the password, so a correct one fails too.
A wait or a lock holds until a moment of the domain clock stored in its key; the key's expiry
in Redis only frees memory. The failure window is Redis's own expiry.
"""

from __future__ import annotations

import math
from enum import StrEnum
from functools import lru_cache

from redis import Redis

from app import settings
from app.models.base import utcnow

PREFIX = "login-guard"

# Redis forgets a wait or a lock this long after its end (memory only: whether it holds is its
# stored moment against the domain clock, which tests and simulations move).
KEPT_AFTER_END_SECONDS = 60


class Scope(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


@lru_cache(maxsize=4)
def _redis(url: str, timeout: float) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def _conn() -> Redis:
    return _redis(settings.current.REDIS_URL, settings.current.REDIS_TIMEOUT)


def account_key(username: str) -> str:
    """The name a counter is kept under: case and surrounding spaces do not make a new one."""
    return username.strip().casefold()[:64]


def _subjects(username: str, address: str) -> dict[Scope, str]:
    return {Scope.ACCOUNT: account_key(username), Scope.ADDRESS: address or "unknown"}


def _threshold(scope: Scope) -> int:
    config = settings.current
    if scope is Scope.ACCOUNT:
        return config.LOGIN_ACCOUNT_FAILURES
    return config.LOGIN_ADDRESS_FAILURES


def holding(username: str, address: str) -> str | None:
    """Why a try must be refused now ("locked" or "wait"), or None when it may go ahead."""
    keys = []
    for scope, subject in _subjects(username, address).items():
        keys += [f"{PREFIX}:lock:{scope}:{subject}", f"{PREFIX}:wait:{scope}:{subject}"]
    now = utcnow().timestamp()
    held = [value is not None and float(value) > now for value in _conn().mget(keys)]
    if any(held[0::2]):
        return "locked"
    if any(held[1::2]):
        return "wait"
    return None


def _hold(pipe: Redis, key: str, seconds: float) -> None:
    """Set `key` to hold for `seconds` from now by the domain clock."""
    until = utcnow().timestamp() + seconds
    pipe.set(key, repr(until), ex=math.ceil(seconds) + KEPT_AFTER_END_SECONDS)


def failed(username: str, address: str) -> list[Scope]:
    """Count a failed try against the account and the address; the scopes it just locked."""
    config = settings.current
    redis = _conn()
    locked = []
    for scope, subject in _subjects(username, address).items():
        count_key = f"{PREFIX}:fails:{scope}:{subject}"
        count = int(redis.incr(count_key))
        if count == 1:
            redis.expire(count_key, config.LOGIN_FAILURE_WINDOW)
        if count >= _threshold(scope):
            with redis.pipeline() as pipe:
                _hold(pipe, f"{PREFIX}:lock:{scope}:{subject}", config.LOGIN_LOCK_SECONDS)
                pipe.delete(count_key, f"{PREFIX}:wait:{scope}:{subject}")
                pipe.execute()
            locked.append(scope)
            continue
        delay = min(config.LOGIN_DELAY_BASE * 2 ** (count - 1), config.LOGIN_DELAY_MAX)
        if delay > 0:
            _hold(redis, f"{PREFIX}:wait:{scope}:{subject}", delay)
    return locked


def succeeded(username: str) -> None:
    """A correct password outside any lock: the account starts again from zero (the address
    keeps its count, so one's own account cannot launder guesses at others')."""
    subject = account_key(username)
    _conn().delete(
        f"{PREFIX}:fails:{Scope.ACCOUNT}:{subject}", f"{PREFIX}:wait:{Scope.ACCOUNT}:{subject}"
    )
