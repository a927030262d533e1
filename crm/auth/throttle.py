"""The login rate limit: at most N failed logins per account and per client address per window.

Failures are counted in Flask-Limiter's storage: memory by default (one process), Redis when
RATELIMIT_STORAGE_URI names it, so that every app process behind a load balancer shares the
count. A "moving window" is used, so ten failures are never followed by ten more at the turn of
a fixed window.

Only failures count, so a person who logs in correctly is never slowed down; once an account or
an address is over the limit, even the right password is refused until the window has passed,
and the answer is the same whether the account exists or not.

The "current password" asked for on /account/password gets the same limit, per account: a
session left open on a shared computer must not become an unlimited way to guess the password.
"""

from __future__ import annotations

import math
import time
from typing import cast

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.strategies import RateLimiter

_EXTENSION_KEY = "crm.login_limiter"


def init_app(app: Flask) -> None:
    # One Limiter per app, so that two apps in one process (as in the tests) keep their own
    # storage settings; the storage itself is what processes share.
    limiter = Limiter(
        key_func=get_remote_address,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        strategy="moving-window",
        key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", "twinning"),
        default_limits=[],
    )
    limiter.init_app(app)
    app.extensions[_EXTENSION_KEY] = limiter


def _limiter() -> Limiter:
    return cast(Limiter, current_app.extensions[_EXTENSION_KEY])


def _strategy() -> RateLimiter:
    return _limiter().limiter


def _keys(email: str) -> list[tuple[str, str]]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "twinning")
    keys = [(prefix, f"login-address:{request.remote_addr or 'unknown'}")]
    if email:
        keys.append((prefix, f"login-account:{email}"))
    return keys


def _limit() -> RateLimitItem:
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


def login_blocked(email: str) -> bool:
    """True when this account or this client address has used up its failed logins."""
    limit = _limit()
    return any(not _strategy().test(limit, *key) for key in _keys(email))


def record_failure(email: str) -> None:
    limit = _limit()
    for key in _keys(email):
        _strategy().hit(limit, *key)


def _password_check_key(user_id: int) -> tuple[str, str]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "twinning")
    return (prefix, f"current-password:{user_id}")


def password_check_blocked(user_id: int) -> bool:
    """True when this account has typed too many wrong current passwords."""
    return not _strategy().test(_limit(), *_password_check_key(user_id))


def record_password_check_failure(user_id: int) -> None:
    _strategy().hit(_limit(), *_password_check_key(user_id))


def reset() -> None:
    """Forget every count (tests; an admin who has dealt with an attack)."""
    _limiter().reset()


class TooManyRequests(Exception):
    """An API token went over its request limit; `retry_after` is in whole seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def count_api_request(token_id: int) -> None:
    """Count one API request against the token's limit (API_RATE_LIMIT), or refuse it."""
    limit = parse(current_app.config["API_RATE_LIMIT"])
    key = (current_app.config.get("RATELIMIT_KEY_PREFIX", "twinning"), f"api-token:{token_id}")
    if not _strategy().hit(limit, *key):
        reset_at = _strategy().get_window_stats(limit, *key).reset_time
        raise TooManyRequests(max(1, math.ceil(reset_at - time.time())))
