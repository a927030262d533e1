"""CSRF protection, the request size limit, and the response headers that every page carries."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any, TypeVar, cast

import flask
from flask import Flask, Response, abort, current_app, request
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

csrf = CSRFProtect()
View = TypeVar("View", bound=Callable[..., Any])

FORM_MEDIA_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

# No inline scripts or styles anywhere: htmx and our own JS are files under /static.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    app.request_class = Request
    csrf.init_app(app)
    app.before_request(_refuse_nul_characters)
    app.after_request(_add_security_headers)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies > 0:
        # The client address (for the login rate limit and the audit log) from the proxies'
        # X-Forwarded-For, trusting exactly as many hops as there are proxies we run.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )


def accepts_large_body(setting: str, *, for_whom: Callable[[Any], bool]) -> Callable[[View], View]:
    """Let a view take a body of up to `app.config[setting]` bytes rather than the app-wide
    MAX_CONTENT_LENGTH, from a signed-in user `for_whom` says may use it (others keep the app's
    limit: whoever the view will refuse must not have the server read 50 MB first, which the
    CSRF check would). Put it right under the route decorator, so it marks the registered view."""

    def mark(view: View) -> View:
        view.body_limit_setting = setting  # type: ignore[attr-defined]
        view.body_limit_for = for_whom  # type: ignore[attr-defined]
        return view

    return mark


class FormTooLarge(RequestEntityTooLarge):
    """A multipart form refused for its shape, not its size: more parts than MAX_FORM_PARTS
    (`parts`, the limit), or a field that is not a file over MAX_FORM_MEMORY_SIZE bytes
    (`field_bytes`, the limit). Werkzeug raises a bare 413 for these as for a body over
    MAX_CONTENT_LENGTH, and the API's message said the body was too large. The description
    stays werkzeug's, so that a page shows its own translated words (crm/error_pages.py)."""

    def __init__(self, *, parts: int | None = None, field_bytes: int | None = None) -> None:
        super().__init__()
        self.parts = parts
        self.field_bytes = field_bytes


class _FormDataParser(FormDataParser):
    """Werkzeug's parser, telling which limit a refused multipart form passed (FormTooLarge)."""

    def parse(
        self,
        stream: IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str] | None = None,
    ) -> tuple[IO[bytes], MultiDict[str, Any], MultiDict[str, Any]]:
        if mimetype != "multipart/form-data":
            return super().parse(stream, mimetype, content_length, options)
        boundary = (options or {}).get("boundary", "").encode("ascii", "replace")
        counted = _PartCounter(stream, boundary)
        try:
            _, form, files = super().parse(
                cast(IO[bytes], counted), mimetype, content_length, options
            )
        except RequestEntityTooLarge as error:
            if isinstance(stream, _BodyUpToLimit) and stream.is_exhausted:
                raise  # a chunked body read up to MAX_CONTENT_LENGTH: the body's limit
            if self.max_form_parts is not None and counted.parts > self.max_form_parts:
                raise FormTooLarge(parts=self.max_form_parts) from error
            if self.max_form_memory_size is not None:
                raise FormTooLarge(field_bytes=self.max_form_memory_size) from error
            raise
        return stream, form, files


class _PartCounter:
    """A multipart body read through, counting the parts begun (the delimiter lines seen, less
    the closing one), so that a refused form can be told to have had too many. Werkzeug's
    parser reads with `read(size)` alone."""

    def __init__(self, source: IO[bytes], boundary: bytes) -> None:
        self._source = source
        self._delimiter = b"--" + boundary
        self._closing = self._delimiter + b"--"
        self._tail = b""
        self._delimiters = 0
        self._closings = 0

    @property
    def parts(self) -> int:
        return self._delimiters - self._closings

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        # Read on from the end of what came before (one byte short of a closing delimiter), so
        # that a delimiter split between two reads is counted once, when it is whole.
        seen = self._tail + data
        self._delimiters += seen.count(self._delimiter) - self._tail.count(self._delimiter)
        self._closings += seen.count(self._closing) - self._tail.count(self._closing)
        self._tail = seen[-(len(self._closing) - 1) :]
        return data


class Request(flask.Request):
    """A request whose size limit is settled as soon as it is routed, and whose form parser says
    which limit a refused multipart form passed (`FormTooLarge`).

    Raising `request.max_content_length` in a blueprint's `before_request` comes too late: the
    app's own hooks run first, the CSRF check among them reads `request.form`, and the body is
    parsed (and refused with a 413) under whatever limit holds at that first read.
    """

    form_data_parser_class = _FormDataParser

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self.url_rule is not None:
            view = current_app.view_functions.get(self.url_rule.endpoint)
            setting = getattr(view, "body_limit_setting", None)
            allowed = getattr(view, "body_limit_for", None)
            if setting and allowed and current_user.is_authenticated and allowed(current_user):
                return int(current_app.config[setting])
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @cached_property
    def stream(self) -> IO[bytes]:
        limit = self.max_content_length
        if (
            self.content_length is None
            and limit is not None
            and "wsgi.input_terminated" in self.environ
            and not self.shallow
        ):
            return _BodyUpToLimit(self.environ["wsgi.input"], limit)
        return super().stream


class _BodyUpToLimit(LimitedStream):
    """A body sent without a Content-Length (chunked), read up to the size limit.

    Werkzeug's own stream stops reading whole bodies (`get_data()`, url-encoded forms) quietly
    at the limit, so a chunked body over it arrived cut short: a JSON body that did not parse,
    a form without its last fields, a 400 or a 422 instead of the 413 that a Content-Length
    over the limit gets."""

    def __init__(self, source: IO[bytes], limit: int) -> None:
        super().__init__(source, limit, is_max=True)
        self._source = source

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._source.read(1):
            raise RequestEntityTooLarge()
        return data


def _add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_user and current_user.is_authenticated:
        # Pages behind the login must not be kept by the browser or a shared proxy.
        response.headers["Cache-Control"] = "no-store"
    return response


def _refuse_nul_characters() -> None:
    """A NUL character is never real input, and PostgreSQL refuses to store or compare it: a
    400 here rather than a database error later. The API answers the same in its own shape."""
    if request.path.startswith("/api/"):
        return
    values = list(request.args.values())
    # Any form may come as multipart/form-data. Its fields and file names are text like any
    # other; an uploaded file's content is checked by the feature that reads it.
    if request.mimetype in FORM_MEDIA_TYPES:
        values += list(request.form.values())
        values += [upload.filename or "" for upload in request.files.values()]
    if any("\x00" in value for value in values):
        abort(400, gettext("The request holds a NUL character."))
