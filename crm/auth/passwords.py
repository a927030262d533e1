"""The password policy: long enough, and not one of the passwords everyone tries first."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask_babel import gettext, ngettext

from crm.errors import DomainError

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Digits, spaces and punctuation that people put around a common word to pass a length rule.
_PADDING = re.compile(r"^[\d\W_]+|[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """The password, or the word under its padding ("password2026!"), or a word repeated
    ("dragondragon"), is on the list."""
    common = common_passwords()
    lowered = password.strip().lower()
    if lowered in common:
        return True
    core = _PADDING.sub("", lowered)
    if len(core) >= 4 and core in common:
        return True
    for size in range(1, len(lowered) // 2 + 1):
        if len(lowered) % size == 0 and lowered[:size] * (len(lowered) // size) == lowered:
            return lowered[:size] in common or len(set(lowered)) == 1
    return False


def check_password_strength(password: str) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise DomainError(
            ngettext(
                "A password needs at least %(num)d character.",
                "A password needs at least %(num)d characters.",
                PASSWORD_MIN_LENGTH,
            ),
            field="password",
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise DomainError(
            ngettext(
                "A password can be at most %(num)d character.",
                "A password can be at most %(num)d characters.",
                PASSWORD_MAX_LENGTH,
            ),
            field="password",
        )
    if is_common(password):
        raise DomainError(
            gettext(
                "That password is on the list of commonly used passwords; choose another "
                "(a few unrelated words make a good one)."
            ),
            field="password",
        )
