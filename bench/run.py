"""The benchmark: the app under gunicorn, measured with wrk against 127.0.0.1.

For each key request: requests per second and p50/p95/p99 latency at 1 and 16 connections (wrk),
the SQL statements the request runs (counted once in-process, with the test client and an engine
event), the peak resident memory of a gunicorn worker (VmHWM from /proc), and the throughput as a
ratio to a bare Flask app served the same way. Results go to bench/results/ as JSON and Markdown,
with the query plans of every statement the key requests run.

    python -m bench.run --scale small [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask import session as cookie_session
from flask_login.utils import _create_identifier
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, func, select, text

from bench.generate import BENCH_USER_EMAIL, Sizes, generate
from bench.signed_in import DEFAULT_PAGE_BYTES, add_floors
from config import Config
from crm import create_app
from crm.auth.models import User
from crm.auth.sessions import start as start_session_clocks
from crm.auth.tokens import issue_token
from crm.db import engine_for, session
from crm.partnerships.models import Partnership, Stage, Status

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
SECRET_KEY = "bench-secret-key-" + "0" * 32  # a throwaway app on 127.0.0.1
USER_AGENT = "twinning-bench"
WORKERS = 2
MOVE_TARGETS = {"small": 400, "large": 20_000}
WARM_UP_MOVE_TARGETS = 200  # after the measured ones: a 2 s warm-up moves fewer than that
# A cell is measured for at least `duration` seconds; when it completed fewer than
# MIN_REQUESTS requests by then (a slow page at one connection), it is measured again for longer,
# up to MAX_DURATION_S, so its percentiles come from real requests. A cell that still has none is
# reported as "no data" (never as a pass), and one with errors as failed.
MIN_REQUESTS = 20
MAX_DURATION_S = 60.0
# A request slower than this at one connection is not measured at more: sixteen queued requests
# of many seconds each would take many minutes to say only "too slow". Its row says so.
SKIP_CONCURRENT_AFTER_P50_MS = 5000.0
# A request that takes longer than this in-process is timed by that one run alone, not under wrk
# (which, with the waits for the workers to finish, would take a quarter of an hour to time it).
SINGLE_SAMPLE_AFTER_MS = 10_000.0

# The issue's targets: p95 at 1 connection, and throughput at 16 as a share of bare Flask.
P95_TARGET_MS = {"report_pdf": 3000.0, "report_html": 1000.0}
P95_DEFAULT_MS = 50.0
RATIO_TARGET = {
    "pairing_page": 0.20,
    "list_page1": 0.20,
    "list_deep_page": 0.20,
    "list_search": 0.20,
    "api_list_200": 0.20,
    "board_all": 0.10,
    "board_sector": 0.10,
    "dashboard": 0.10,
}
# What a signed-in request costs before its page does anything, served as the app is
# (bench/signed_in.py): the ceiling the throughput targets are measured against. No target.
FLOORS = {
    "signed_in_floor": "/bench/signed-in",
    "cached_page_floor": "/bench/cached-page",
}


@dataclass
class Probe:
    name: str
    path: str
    method: str = "GET"
    api: bool = False
    sql_statements: int | None = None
    status: int | None = None
    inprocess_ms: float | None = None  # the counted run, in-process
    body_bytes: int | None = None


@dataclass
class Row:
    name: str
    scale: str
    database: str
    connections: int
    rps: float
    # None when the cell completed no request: there is no latency to report.
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    sql_statements: int | None
    ratio_to_bare: float | None
    worker_rss_mb: float
    requests: int
    errors: int
    path: str
    duration_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def measured(self) -> bool:
        """Whether the cell has real numbers: completed requests and no errors."""
        return self.requests > 0 and self.errors == 0 and self.p95_ms is not None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "large"), default="small")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--duration", type=float, default=0, help="seconds per wrk run")
    parser.add_argument("--connections", default="1,16")
    parser.add_argument("--reuse", action="store_true", help="keep data of the right size")
    parser.add_argument("--output", default=str(BENCH_DIR / "results"))
    parser.add_argument("--only", default="", help="comma-separated request names")
    parser.add_argument(
        "--min-requests",
        type=int,
        default=MIN_REQUESTS,
        help="a cell with fewer completed requests is measured again for longer (CI: 1)",
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated request names left out; their rows say 'not measured'",
    )
    args = parser.parse_args(argv)
    if args.min_requests < 1:
        parser.error("--min-requests must be at least 1")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: sudo apt-get install wrk (make bench installs it as root)")
    url = args.database_url or f"sqlite:///{ROOT / 'instance' / f'bench-{args.scale}.sqlite3'}"
    database = "postgresql" if url.startswith("postgresql") else "sqlite"
    duration = args.duration or (15.0 if args.scale == "large" else 5.0)
    connections = [int(c) for c in args.connections.split(",")]

    sizes = Sizes.for_scale(args.scale)
    generation_seconds = None
    if not (args.reuse and _has_data(url, sizes)):
        started = time.monotonic()
        generate(url, args.scale)
        generation_seconds = round(time.monotonic() - started, 1)
        print(f"generated the {args.scale} data set in {generation_seconds} s", file=sys.stderr)

    app = add_floors(create_app(Config, DATABASE_URL=url, SECRET_KEY=SECRET_KEY))
    auth = _credentials(app)
    probes = _probes(app, args.scale)
    floors = [Probe(name, path) for name, path in FLOORS.items()]
    if args.only:
        wanted = set(args.only.split(","))
        probes = [probe for probe in probes if probe.name in wanted]
        floors = [probe for probe in floors if probe.name in wanted]
    left_out = set(args.skip.split(","))
    skipped = [probe for probe in probes if probe.name in left_out]
    probes = [probe for probe in probes if probe not in skipped]
    floors = [probe for probe in floors if probe.name not in left_out]
    plans = _count_statements_and_plans(app, auth, probes + floors)
    print("statements: " + ", ".join(f"{p.name}={p.sql_statements}" for p in probes + floors))

    rows: list[Row] = []
    # The API's per-token limit (600 a minute) would answer most of the 16-connection cell with
    # 429s: the benchmark measures the app, not the limiter, so its one token may go faster.
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "API_RATE_LIMIT": "1000000/minute",
    }
    with _gunicorn("bench.bare:app", env) as (bare_port, bare_master):
        bare = {c: _measure(bare_port, "/", c, duration, dict) for c in connections}
        for c, result in bare.items():
            rows.append(
                _row("bare_flask", "/", args.scale, database, c, result, 0, None, bare_master)
            )
    if floors:
        page = next((p for p in probes if p.name == "pairing_page"), None)
        page_bytes = page.body_bytes if page and page.body_bytes else DEFAULT_PAGE_BYTES
        floor_env = {**env, "BENCH_PAGE_BYTES": str(page_bytes)}
        with _gunicorn("bench.signed_in:floor_app()", floor_env) as (floor_port, floor_master):
            for floor in floors:
                _check_signed_in(floor_port, floor.path, auth.headers())
                for c in connections:
                    _wrk(floor_port, floor.path, c, 2.0, auth.headers())
                    result = _measure(floor_port, floor.path, c, duration, auth.headers)
                    rows.append(
                        _row(
                            floor.name,
                            floor.path,
                            args.scale,
                            database,
                            c,
                            result,
                            bare[c]["rps"],
                            floor.sql_statements,
                            floor_master,
                        )
                    )
                    print(f"{floor.name:16} c={c:<3} {rows[-1].rps:8.1f} rps", flush=True)
    with _gunicorn("app:app", env) as (port, master):
        for probe in probes:
            if probe.inprocess_ms and probe.inprocess_ms > SINGLE_SAMPLE_AFTER_MS:
                rows += _sampled(probe, args.scale, database, connections, master)
                print(f"{probe.name:16} one in-process run: {probe.inprocess_ms / 1000:.1f} s")
                continue
            headers_now = auth.bearer_headers if probe.api else auth.headers
            for c in connections:
                single = next(
                    (r for r in rows if r.name == probe.name and r.connections == 1), None
                )
                if (
                    c > 1
                    and single is not None
                    and (single.p50_ms is None or single.p50_ms > SKIP_CONCURRENT_AFTER_P50_MS)
                ):
                    rows.append(_skipped(probe, args.scale, database, c, single, master))
                    print(f"{probe.name:16} c={c:<3} not measured: {rows[-1].extra['skipped']}")
                    continue
                script = None
                # Warmed with a connection per worker at least: one connection warmed one worker
                # alone when its requests were slow (the report's 0.8 s), and the other's first
                # (its statements compiled, its templates loaded) fell in the measured run.
                warm_connections = max(c, WORKERS)
                if probe.method == "POST":
                    # The warm-up moves pairings of its own: a move of its still being served
                    # by one worker when the other answers the drain would leave the measured
                    # run a stale version (a 409, counted as an error).
                    script = _move_script(
                        app, auth, args.scale, min(warm_connections, 2), warm_up=True
                    )
                _wrk(port, probe.path, warm_connections, 2.0, headers_now(), script=script)
                if probe.method == "POST":
                    script = _move_script(app, auth, args.scale, min(c, 2))
                    # The script walks through its pairings once: a rerun would repeat moves
                    # with stale versions, so a write cell is measured once.
                    result = _wrk(port, probe.path, c, duration, headers_now(), script=script)
                else:
                    result = _measure(
                        port, probe.path, c, duration, headers_now, min_requests=args.min_requests
                    )
                rows.append(
                    _row(
                        probe.name,
                        probe.path,
                        args.scale,
                        database,
                        c,
                        result,
                        bare[c]["rps"],
                        probe.sql_statements,
                        master,
                    )
                )
                print(
                    f"{probe.name:16} c={c:<3} {rows[-1].rps:8.1f} rps  "
                    f"p95 {_ms(rows[-1].p95_ms):>8} ms  rss {rows[-1].worker_rss_mb} MB  "
                    f"requests {rows[-1].requests}  errors {rows[-1].errors}",
                    flush=True,
                )
    for probe in skipped:
        for c in connections:
            rows.append(
                Row(
                    name=probe.name,
                    scale=args.scale,
                    database=database,
                    connections=c,
                    rps=0.0,
                    p50_ms=None,
                    p95_ms=None,
                    p99_ms=None,
                    sql_statements=None,
                    ratio_to_bare=None,
                    worker_rss_mb=0.0,
                    requests=0,
                    errors=0,
                    path=probe.path,
                    extra={"skipped": "left out of this run (--skip)"},
                )
            )
    _write(
        Path(args.output),
        args.scale,
        database,
        url,
        rows,
        plans,
        duration,
        generation_seconds,
        min_requests=args.min_requests,
    )
    return 0


# --- data and credentials ------------------------------------------------------------------


def _has_data(url: str, sizes: Sizes) -> bool:
    app = create_app(Config, DATABASE_URL=url, SECRET_KEY=SECRET_KEY)
    try:
        with app.app_context():
            return session.scalar(select(func.count()).select_from(Partnership)) == sizes.pairings
    except Exception:  # no schema yet: generate it
        return False
    finally:
        engine_for(app).dispose()


@dataclass
class Credentials:
    """The bench user's API token, and a logged-in session with its CSRF token."""

    token: str
    csrf: str
    session_data: dict[str, Any]
    signer: Any

    def cookie(self) -> str:
        """The session cookie as the app would have last set it, seen now.

        A browser sends back the cookie that the app last set; wrk sends one cookie for a whole
        run. The app writes `seen_at` again once it is a minute old (crm.auth.sessions), so a
        cookie signed once for the whole benchmark would have every later request re-sign and
        send a new cookie, which is the benchmark's cost, not the page's. Each wrk run takes a
        fresh one (a run lasts at most `MAX_DURATION_S`, a minute).
        """
        return str(self.signer.dumps({**self.session_data, "seen_at": time.time()}))

    def headers(self) -> dict[str, str]:
        return {"Cookie": f"session={self.cookie()}", "User-Agent": USER_AGENT}

    def bearer_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _credentials(app: Flask) -> Credentials:
    with app.app_context():
        user = session.scalar(select(User).where(User.email == BENCH_USER_EMAIL))
        assert user is not None, "the bench user is missing: generate the data first"
        _, secret = issue_token(user, "bench")
        session.commit()
        # What flask-login keeps in the session: the id with the user's session token.
        login_id = user.get_id()
    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}
    ):
        cookie_session["_user_id"] = login_id
        cookie_session["_fresh"] = True
        cookie_session["_id"] = _create_identifier()
        start_session_clocks()
        csrf = generate_csrf()
        return Credentials(
            token=secret,
            csrf=csrf,
            session_data=dict(cookie_session),
            signer=app.session_interface.get_signing_serializer(app),  # type: ignore[attr-defined]
        )


def _probes(app: Flask, scale: str) -> list[Probe]:
    with app.app_context():
        visible = select(func.count()).where(Partnership.archived_at.is_(None))
        total = session.scalar(visible.select_from(Partnership)) or 0
        pairing = session.scalar(
            select(Partnership.id)
            .where(Partnership.archived_at.is_(None))
            .order_by(Partnership.id)
            .offset(total // 2)
            .limit(1)
        )
    deep = max(1, total // app.config["PAGE_SIZE"] // 2)
    return [
        Probe("board_all", "/board"),
        Probe("board_sector", "/board?sector=education"),
        Probe("list_page1", "/partnerships"),
        Probe("list_deep_page", f"/partnerships?page={deep}"),
        Probe("list_search", "/partnerships?q=stajer"),
        Probe("pairing_page", f"/partnerships/{pairing}"),
        Probe("my_tasks", "/tasks/mine"),
        Probe("dashboard", "/"),
        Probe("report_html", "/reports/weekly"),
        Probe("report_pdf", "/reports/weekly?format=pdf"),
        Probe("api_list_200", "/api/v1/partnerships?limit=200", api=True),
        Probe("stage_move", "/partnerships/{id}/stage", method="POST"),
    ]


def _move_targets(app: Flask, limit: int, *, skip: int = 0) -> list[tuple[int, int, str, str]]:
    """Open pairings short of the last stage: (id, version, next stage, current stage).

    The write alternates each pairing between the two, so every request is a real move with the
    version it must carry; a stale one would be a 409 and counted as an error. `skip` passes
    over the first ones (the warm-up moves others than the measured run).
    """
    with app.app_context():
        stages = list(session.scalars(select(Stage).order_by(Stage.position)))
        following = {a.id: b.key for a, b in itertools.pairwise(stages)}
        keys = {stage.id: stage.key for stage in stages}
        rows = session.execute(
            select(Partnership.id, Partnership.version, Partnership.stage_id)
            .where(
                Partnership.archived_at.is_(None),
                Partnership.status == Status.OPEN.value,
                Partnership.stage_id.in_(list(following)),
            )
            .order_by(Partnership.id.desc())
            .offset(skip)
            .limit(limit)
        ).all()
    return [(pid, version, following[stage], keys[stage]) for pid, version, stage in rows]


def _move_script(
    app: Flask, auth: Credentials, scale: str, threads: int, *, warm_up: bool = False
) -> str:
    measured = MOVE_TARGETS[scale]
    targets = (
        _move_targets(app, WARM_UP_MOVE_TARGETS, skip=measured)
        if warm_up
        else _move_targets(app, measured)
    )
    entries = ",\n".join(f'{{{pid}, {version}, "{a}", "{b}"}}' for pid, version, a, b in targets)
    body = (BENCH_DIR / "move.lua").read_text()
    report = (BENCH_DIR / "report.lua").read_text()
    return (
        f"targets = {{\n{entries}\n}}\n"
        f'csrf_token = "{auth.csrf}"\n'
        f'cookie = "session={auth.cookie()}"\n'
        f'user_agent = "{USER_AGENT}"\n'
        f"thread_count = {threads}\n" + body + report
    )


# --- statements and plans ------------------------------------------------------------------


def _count_statements_and_plans(
    app: Flask, auth: Credentials, probes: list[Probe]
) -> dict[str, list[dict[str, Any]]]:
    """Each request once, in-process: how many statements it runs, how long each takes, and the
    plan of each (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL)."""
    engine = engine_for(app)
    client = app.test_client()
    client.set_cookie("session", auth.cookie())
    plans: dict[str, list[dict[str, Any]]] = {}
    for probe in probes:
        recorded: list[dict[str, Any]] = []
        _count_one(app, engine, client, auth, probe, recorded)
        statements = [r for r in recorded if not r["sql"].lstrip().upper().startswith("BEGIN")]
        probe.sql_statements = len(statements)
        plans[probe.name] = [_explain(engine, r) for r in statements]
    return plans


def _count_one(
    app: Flask,
    engine: Any,
    client: Any,
    auth: Credentials,
    probe: Probe,
    recorded: list[dict[str, Any]],
) -> None:
    def before(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        elapsed = (time.perf_counter() - conn.info.pop("bench_started")) * 1000
        recorded.append({"sql": statement, "parameters": parameters, "ms": round(elapsed, 2)})

    headers = {"User-Agent": USER_AGENT}
    if probe.api:
        headers["Authorization"] = f"Bearer {auth.token}"
    # Once to warm caches (stages, compiled statements), once to count; a request slower than
    # SINGLE_SAMPLE_AFTER_MS is counted from its first run.
    for attempt in range(2):
        if attempt and probe.inprocess_ms and probe.inprocess_ms > SINGLE_SAMPLE_AFTER_MS:
            break
        recorded.clear()
        if probe.method == "POST":
            pid, version, stage, _ = _move_targets(app, 1)[0]
            path = probe.path.format(id=pid)
            data = {"stage": stage, "version": str(version), "csrf_token": auth.csrf}
        else:
            path, data = probe.path, None
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        started = time.perf_counter()
        try:
            response = client.open(path, method=probe.method, data=data, headers=headers)
        finally:
            probe.inprocess_ms = round((time.perf_counter() - started) * 1000, 1)
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        if response.status_code >= 400:
            raise RuntimeError(f"{probe.name}: {path} answered {response.status_code}")
        # A page must be the page, not a redirect to the login form that wrk would time instead.
        expected = 302 if probe.method == "POST" else 200
        location = response.headers.get("Location", "")
        if response.status_code != expected or "/login" in location:
            raise RuntimeError(
                f"{probe.name}: {path} answered {response.status_code} {location}".rstrip()
            )
        if probe.method == "GET":
            _refuse_new_session_cookie(path, response.headers.getlist("Set-Cookie"))
    probe.status = response.status_code
    probe.body_bytes = len(response.get_data())


def _explain(engine: Any, recorded: dict[str, Any]) -> dict[str, Any]:
    sql = recorded["sql"]
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return {**recorded, "parameters": None, "plan": ""}
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            query = "EXPLAIN (ANALYZE, COSTS OFF) " + sql
            lines = [row[0] for row in connection.exec_driver_sql(query, recorded["parameters"])]
        else:
            query = "EXPLAIN QUERY PLAN " + sql
            lines = [
                f"{row[0]}|{row[1]}| {row[3]}"
                for row in connection.exec_driver_sql(query, recorded["parameters"])
            ]
    return {**recorded, "parameters": None, "plan": "\n".join(lines)}


# --- gunicorn and wrk ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _gunicorn(target: str, env: dict[str, str]) -> Iterator[tuple[int, int]]:
    port = _free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            # Import the app before forking, so both workers answer from the first request
            # rather than the first cell measuring their start-up.
            "--preload",
            target,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn {target} exited") from None
                time.sleep(0.2)
        while len(_workers(process.pid)) < WORKERS and time.monotonic() < deadline:
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    try:
        return [int(pid) for pid in children.read_text().split()]
    except OSError:
        return []


def _peak_rss_mb(master: int) -> float:
    peak = 0
    for pid in _workers(master):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            peak = max(peak, int(found.group(1)))
    return round(peak / 1024, 1)


def _wrk(
    port: int,
    path: str,
    connections: int,
    duration: float,
    headers: dict[str, str],
    *,
    script: str | None = None,
) -> dict[str, Any]:
    threads = min(connections, 2)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or (BENCH_DIR / "report.lua").read_text())
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max(duration, 1):.0f}s",
        "--timeout",
        "60s",
        "-s",
        lua.name,
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path if script is None else '/'}")
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(lua.name)
    _drain(port)
    summary = json.loads(output.strip().splitlines()[-1])
    seconds = summary["duration_us"] / 1e6
    errors = sum(summary[key] for key in summary if key.endswith("errors") or key == "timeouts")
    return {
        **summary,
        "rps": summary["requests"] / seconds if seconds else 0.0,
        "errors": errors,
        "duration_s": round(seconds, 1),
    }


def _measure(
    port: int,
    path: str,
    connections: int,
    duration: float,
    headers: Callable[[], dict[str, str]],
    *,
    min_requests: int = MIN_REQUESTS,
) -> dict[str, Any]:
    """One cell: wrk for `duration`, and again for longer while it completed too few requests;
    each run with `headers()` as they are then (a session cookie signed afresh)."""
    while True:
        result = _wrk(port, path, connections, duration, headers())
        if result["requests"] >= min_requests or duration >= MAX_DURATION_S:
            return result
        duration = min(duration * 2, MAX_DURATION_S)


def _check_signed_in(port: int, path: str, headers: dict[str, str]) -> None:
    """wrk counts only 4xx and 5xx as errors: a floor answered by a redirect to the login page
    would be timed as if it were the floor."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 200:
        location = response.getheader("Location") or ""
        raise RuntimeError(f"{path} answered {response.status} {location}".rstrip())
    _refuse_new_session_cookie(path, response.msg.get_all("Set-Cookie") or [])


def _refuse_new_session_cookie(path: str, set_cookies: list[str]) -> None:
    """A response that sets the session cookie again says the benchmark's cookie is stale: every
    request would then pay for signing a new one, which a browser's requests do not."""
    if any(header.startswith("session=") for header in set_cookies):
        raise RuntimeError(f"{path} set a new session cookie: the benchmark's cookie is stale")


def _drain(port: int) -> None:
    """Wait until the workers have served what wrk left queued when it stopped.

    Sync workers take queued connections in order, so one more request is answered only after
    them; otherwise a slow page's backlog would be counted against the next cell."""
    with contextlib.suppress(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/favicon.ico", timeout=300).close()


def _row(
    name: str,
    path: str,
    scale: str,
    database: str,
    connections: int,
    result: dict[str, Any],
    bare_rps: float,
    statements: int | None,
    master: int,
) -> Row:
    completed = result["requests"] > 0

    def latency(key: str) -> float | None:
        return round(result[key] / 1000, 2) if completed else None

    return Row(
        name=name,
        scale=scale,
        database=database,
        connections=connections,
        rps=round(result["rps"], 1),
        p50_ms=latency("p50_us"),
        p95_ms=latency("p95_us"),
        p99_ms=latency("p99_us"),
        sql_statements=statements,
        ratio_to_bare=round(result["rps"] / bare_rps, 3) if bare_rps and completed else None,
        worker_rss_mb=_peak_rss_mb(master),
        requests=result["requests"],
        errors=result["errors"],
        path=path,
        duration_s=result["duration_s"],
    )


def _sampled(
    probe: Probe, scale: str, database: str, connections: list[int], master: int
) -> list[Row]:
    """Rows for a request timed by one in-process run: that time at one connection, and no
    measurement at more."""
    assert probe.inprocess_ms is not None
    note = f"one in-process run of {probe.inprocess_ms / 1000:.1f} s, not under wrk"
    rows = []
    for c in connections:
        single = c == 1
        rows.append(
            Row(
                name=probe.name,
                scale=scale,
                database=database,
                connections=c,
                rps=round(1000 / probe.inprocess_ms, 3) if single else 0.0,
                p50_ms=probe.inprocess_ms if single else None,
                p95_ms=probe.inprocess_ms if single else None,
                p99_ms=probe.inprocess_ms if single else None,
                sql_statements=probe.sql_statements,
                ratio_to_bare=None,
                worker_rss_mb=_peak_rss_mb(master),
                requests=1 if single else 0,
                errors=0,
                path=probe.path,
                extra={"sampled": note} if single else {"skipped": note},
            )
        )
    return rows


def _skipped(
    probe: Probe, scale: str, database: str, connections: int, single: Row, master: int
) -> Row:
    p50 = "none completed" if single.p50_ms is None else f"p50 {single.p50_ms / 1000:.1f} s"
    return Row(
        name=probe.name,
        scale=scale,
        database=database,
        connections=connections,
        rps=0.0,
        p50_ms=None,
        p95_ms=None,
        p99_ms=None,
        sql_statements=probe.sql_statements,
        ratio_to_bare=None,
        worker_rss_mb=_peak_rss_mb(master),
        requests=0,
        errors=0,
        path=probe.path,
        extra={
            "skipped": f"at 1 connection {p50} (over {SKIP_CONCURRENT_AFTER_P50_MS / 1000:.0f} s)"
        },
    )


# --- results -------------------------------------------------------------------------------


def _machine(url: str) -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        memory_gb = round(int(memory) / 1024 / 1024, 1)
    except OSError:
        memory_gb = None
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    database_version = f"SQLite {sqlite3.sqlite_version}"
    if url.startswith("postgresql"):
        app = create_app(Config, DATABASE_URL=url, SECRET_KEY=SECRET_KEY)
        with engine_for(app).connect() as connection:
            database_version = str(connection.scalar(text("SELECT version()")))
        engine_for(app).dispose()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "database": database_version,
        "wrk": wrk_version.splitlines()[0] if wrk_version else "",
        "gunicorn": f"{WORKERS} sync workers",
    }


def _write(
    output: Path,
    scale: str,
    database: str,
    url: str,
    rows: list[Row],
    plans: dict[str, list[dict[str, Any]]],
    duration: float,
    generation_seconds: float | None,
    *,
    min_requests: int = MIN_REQUESTS,
) -> None:
    output.mkdir(parents=True, exist_ok=True)
    stem = output / f"{database}-{scale}"
    machine = _machine(url)
    meta = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "duration_s": duration,
        "generation_s": generation_seconds,
        "min_requests": min_requests,
    }
    stem.with_suffix(".json").write_text(
        json.dumps([{**asdict(row), **{"meta": meta}} for row in rows], indent=1) + "\n"
    )
    stem.with_suffix(".md").write_text(_markdown(rows, meta, scale, database))
    lines = [f"# Query plans: {database}, {scale} scale\n"]
    for name, statements in plans.items():
        lines.append(f"\n## {name} ({len(statements)} statements)\n")
        for number, recorded in enumerate(statements, 1):
            lines.append(f"\n{number}. {recorded['ms']} ms in-process\n\n```sql\n")
            lines.append(recorded["sql"].strip() + "\n```\n")
            if recorded["plan"]:
                lines.append("\n```\n" + recorded["plan"] + "\n```\n")
    (output / f"plans-{database}-{scale}.md").write_text("".join(lines))
    print(f"wrote {stem}.json, {stem}.md and plans-{database}-{scale}.md")


def _markdown(rows: list[Row], meta: dict[str, Any], scale: str, database: str) -> str:
    machine = meta["machine"]
    lines = [
        f"# Benchmark: {database}, {scale} scale\n",
        "",
        f"Run {meta['run_at']} on {machine['cpu']} ({machine['cores']} cores, "
        f"{machine['memory_gb']} GB), Linux {machine['kernel']}, Python {machine['python']}, "
        f"{machine['database']}, {machine['wrk']}; gunicorn {machine['gunicorn']}; "
        f"wrk {meta['duration_s']:.0f} s per cell on the same machine (longer, up to "
        f"{MAX_DURATION_S:.0f} s, for a cell with fewer than "
        f"{meta.get('min_requests', MIN_REQUESTS)} requests by then).",
        "",
        "A cell with no completed request reads *no data*, one with errors *FAILED*: neither is "
        "a pass. Timings are from a shared machine and vary by run.",
    ]
    if meta["generation_s"] is not None:
        lines.append(f"Generating the data set took {meta['generation_s']} s.")
    lines += [
        "",
        "| request | conn | req/s | p50 ms | p95 ms | p99 ms | SQL | × bare | worker MB | "
        "requests | errors | s | target |",
        "| --- |" + " ---: |" * 11 + " --- |",
    ]
    for row in rows:
        ratio = "" if row.ratio_to_bare is None or not row.measured else f"{row.ratio_to_bare:.3f}"
        lines.append(
            f"| {row.name} | {row.connections} | {row.rps:.1f} | {_ms(row.p50_ms)} | "
            f"{_ms(row.p95_ms)} | {_ms(row.p99_ms)} | "
            f"{'' if row.sql_statements is None else row.sql_statements} | {ratio} | "
            f"{row.worker_rss_mb:.0f} | {row.requests} | {row.errors} | {row.duration_s:.0f} | "
            f"{_verdict(row)} |"
        )
    return "\n".join(lines) + "\n"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _verdict(row: Row) -> str:
    """Whether the row meets the issue's target (only meaningful at the large scale).

    Only real numbers judge: a cell without completed requests is "no data", one with errors
    is "FAILED", and neither counts as a pass."""
    if row.extra.get("skipped"):
        return f"not measured, {row.extra['skipped']}: NO"
    if row.requests == 0:
        return "no data (no request completed): NO"
    if row.errors:
        return f"FAILED ({row.errors} errors): NO"
    if row.name == "bare_flask":
        return ""
    if row.name in FLOORS:
        return "floor, no target"
    checks = []
    if row.extra.get("sampled"):
        checks.append(row.extra["sampled"])
    if row.connections == 1 and row.p95_ms is not None:
        limit = P95_TARGET_MS.get(row.name, P95_DEFAULT_MS)
        checks.append(f"p95 ≤ {limit:.0f} ms: {'yes' if row.p95_ms <= limit else 'NO'}")
    elif row.name in RATIO_TARGET and row.ratio_to_bare is not None:
        share = RATIO_TARGET[row.name]
        checks.append(f"≥ {share:.0%} of bare: {'yes' if row.ratio_to_bare >= share else 'NO'}")
    if row.sql_statements is not None and row.sql_statements > 10:
        checks.append("SQL > 10")
    if row.worker_rss_mb >= 200:
        checks.append("RSS ≥ 200 MB")
    return "; ".join(checks)


if __name__ == "__main__":
    sys.exit(main())
