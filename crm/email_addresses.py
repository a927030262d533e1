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


def sendable_address(address: str) -> str:
    """`address` as any mail server takes it: its domain in ASCII ("štajerska.si" as IDNA,
    "xn--tajerska-…"), the same mailbox. Kept as stored (Unicode domains included), it made
    smtplib refuse the whole message unless the server offers SMTPUTF8, which many do not. A
    local part with letters beyond ASCII has no such form and still needs SMTPUTF8."""
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return address
    return valid.ascii_email or address
