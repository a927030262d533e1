"""Configuration read from the environment, with safe defaults for development."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# A key that must never protect a real deployment: the app refuses to start with it outside
# debug and testing.
DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 (refused outside debug and tests)


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY: str = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    DATABASE_URL: str = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'twinning.sqlite3'}"
    )
    # Shown to users who have not chosen their own; weeks and "days in stage" are counted here.
    TIME_ZONE: str = os.environ.get("TIME_ZONE", "Europe/Ljubljana")
    # The language for visitors whose browser asks for none of ours: en, sl, ru or kk.
    DEFAULT_LANGUAGE: str = os.environ.get("DEFAULT_LANGUAGE", "en")
    # Seconds a SQLite writer waits for another writer before giving up.
    SQLITE_BUSY_TIMEOUT: float = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "30"))

    # A pairing with no stage change for this many days counts as stalled in the weekly report.
    STALLED_AFTER_DAYS: int = int(os.environ.get("STALLED_AFTER_DAYS", "30"))
    # How many rows each list of the weekly report shows on the page, in the PDF and in the
    # e-mail (moves, meetings, tasks, stalled pairings, country pairs); each says how many more
    # there are, and the CSV, XLSX and JSON downloads keep every row.
    REPORT_LIST_LIMIT: int = int(os.environ.get("REPORT_LIST_LIMIT", "200"))
    # The same for the PDF and the e-mail: WeasyPrint lays out a table row in some 5 ms, so 200
    # rows a list would take the PDF past ten seconds and thirty pages. A printed summary for a
    # head of mission shows the first 10 of each list (five pages; 25 made nine and took twice
    # as long) and points to the downloads.
    REPORT_PRINT_LIST_LIMIT: int = int(os.environ.get("REPORT_PRINT_LIST_LIMIT", "10"))

    # Outgoing mail, for the weekly report.
    SMTP_HOST: str = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT: int = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USERNAME: str = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD: str = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS: bool = _flag("SMTP_STARTTLS")
    SMTP_SSL: bool = _flag("SMTP_SSL")
    SMTP_TIMEOUT: float = float(os.environ.get("SMTP_TIMEOUT", "30"))
    MAIL_FROM: str = os.environ.get("MAIL_FROM", "Twinning <twinning@localhost>")

    PAGE_SIZE: int = 50
    BOARD_COLUMN_LIMIT: int = int(os.environ.get("BOARD_COLUMN_LIMIT", "10"))
    # The dashboard flags an owner's pairing with no move, edit or contact for this many days.
    STALE_AFTER_DAYS: int = int(os.environ.get("STALE_AFTER_DAYS", "30"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE: bool = _flag("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE: bool = _flag("SESSION_COOKIE_SECURE")
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Logged-in sessions end after this long without a request, and this long after the login
    # whatever happens (the cookie itself expires then too).
    SESSION_IDLE_TIMEOUT = timedelta(minutes=float(os.environ.get("SESSION_IDLE_MINUTES", "480")))
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=float(os.environ.get("SESSION_MAX_HOURS", "12")))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_LIFETIME
    # The cookie is written again only when the session changes (at most once a minute, when
    # `seen_at` moves on): Flask would otherwise re-sign and send it with every response.
    SESSION_REFRESH_EACH_REQUEST = False

    # Failed logins per account and per client address. Memory counts per process; set
    # RATELIMIT_STORAGE_URI=redis://host:6379/0 so that every app process shares the count.
    RATELIMIT_STORAGE_URI: str = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    RATELIMIT_KEY_PREFIX: str = os.environ.get("RATELIMIT_KEY_PREFIX", "twinning")
    # Requests per personal API token, in the `limits` notation ("600/minute", "10/second").
    API_RATE_LIMIT: str = os.environ.get("API_RATE_LIMIT", "600/minute")
    LOGIN_FAILURE_LIMIT: str = os.environ.get("LOGIN_FAILURE_LIMIT", "10 per 15 minutes")
    # How many reverse proxies in front of the app set X-Forwarded-For (0: none; the client
    # address is then the connection's). Set it behind a load balancer, or the rate limit
    # counts the proxy's address for everyone.
    TRUSTED_PROXIES: int = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # The import page alone accepts larger bodies (a 50,000-row spreadsheet is a few MB).
    IMPORT_MAX_BYTES: int = int(os.environ.get("IMPORT_MAX_MB", "50")) * 1024 * 1024
    # Uploaded files and import state; shared by every app process ("" = instance/imports).
    IMPORT_FOLDER: str = os.environ.get("IMPORT_FOLDER", "")
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; a long form is not lost
    # Forms take WTForms' built-in messages from our catalogue (crm/i18n/wtforms_messages.py),
    # not from WTForms' own, which has no Slovenian.
    WTF_I18N_ENABLED = False

    TESTING = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 (tests only)
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SQLITE_BUSY_TIMEOUT = 30.0
    IMPORT_FOLDER = os.path.join(tempfile.gettempdir(), f"twinning-test-imports-{os.getpid()}")
