"""Where a user may be sent back to after a form: only to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None.

    Refuses absolute URLs, scheme-relative ones (`//evil.example`), backslash tricks that some
    browsers read as `//`, and anything with control characters.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 for ch in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def next_path() -> str:
    """The request's `next` (query string or form) if it is a path on this site, else ""."""
    return safe_local_path(request.values.get("next", "")) or ""
