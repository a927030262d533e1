"""E-mail addresses as the CRM keeps them, for accounts and contacts alike."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext

from crm.errors import DomainError


def checked_email(text: str, *, required: bool = False) -> str:
    """`text` as an address is kept: trimmed, its form checked (nothing is sent), lower case;
    "" for none, unless one is `required`. Refused on the "email" field."""
    text = text.strip()
    if not text:
        if required:
            raise DomainError(gettext("Give the e-mail address."), field="email")
        return ""
    try:
        valid = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise DomainError(
            # email-validator's reason is English only: the reader gets the rule instead.
            gettext(
                "“%(email)s” is not an e-mail address; write it as name@example.org.",
                email=text,
            ),
            field="email",
        ) from error
    return valid.normalized.lower()
