"""The benchmark's verdicts judge only real numbers: an empty or failed cell is never a pass; and
its options refuse what would measure nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import run
from bench.run import Row, _markdown, _row, _verdict


def _result(requests: int, errors: int = 0, p95_us: int = 10_000) -> dict[str, float]:
    return {
        "requests": requests,
        "errors": errors,
        "rps": requests / 5,
        "p50_us": p95_us // 2,
        "p95_us": p95_us,
        "p99_us": p95_us,
        "duration_s": 5.0,
    }


def _cell(name: str, connections: int, result: dict[str, float]) -> Row:
    return _row(name, "/", "large", "sqlite", connections, result, 1000.0, 8, 0)


def test_a_cell_without_requests_is_no_data_and_not_a_pass() -> None:
    row = _cell("dashboard", 1, _result(0))
    assert row.p95_ms is None and not row.measured
    assert _verdict(row).startswith("no data")
    assert "yes" not in _verdict(row)


def test_a_cell_with_errors_fails() -> None:
    row = _cell("list_page1", 1, _result(50, errors=3))
    assert _verdict(row).startswith("FAILED")


def test_real_numbers_are_judged() -> None:
    assert "p95 ≤ 50 ms: yes" in _verdict(_cell("board_all", 1, _result(100, p95_us=30_000)))
    assert "p95 ≤ 50 ms: NO" in _verdict(_cell("board_all", 1, _result(100, p95_us=80_000)))
    assert "≥ 10% of bare: yes" in _verdict(_cell("board_all", 16, _result(1000)))
    assert "≥ 10% of bare: NO" in _verdict(_cell("board_all", 16, _result(100)))


def test_the_table_shows_no_latency_for_an_empty_cell() -> None:
    meta = {
        "run_at": "now",
        "machine": {
            "cpu": "cpu",
            "cores": 2,
            "memory_gb": 1,
            "kernel": "k",
            "python": "3",
            "database": "SQLite",
            "wrk": "wrk",
            "gunicorn": "2 sync workers",
        },
        "duration_s": 15.0,
        "generation_s": None,
    }
    table = _markdown([_cell("dashboard", 1, _result(0))], meta, "large", "sqlite")
    line = next(line for line in table.splitlines() if line.startswith("| dashboard"))
    assert "| — |" in line and "no data" in line


def test_a_cell_asked_to_complete_fewer_than_one_request_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run.main(["--min-requests", "0"])
    assert exit_info.value.code == 2
    assert "--min-requests must be at least 1" in capsys.readouterr().err


def test_the_floors_are_shown_but_never_judged() -> None:
    for name in run.FLOORS:
        single, sixteen = _cell(name, 1, _result(100, p95_us=90_000)), _cell(name, 16, _result(1))
        assert _verdict(single) == _verdict(sixteen) == "floor, no target"


def test_the_summary_shows_the_floors_without_a_mark(tmp_path: Path) -> None:
    from dataclasses import asdict

    from bench.summary import summary

    rows = [
        _cell("pairing_page", 1, _result(100, p95_us=20_000)),
        _cell("pairing_page", 16, _result(100)),
        _cell("signed_in_floor", 1, _result(100, p95_us=900)),
        _cell("signed_in_floor", 16, _result(1500)),
    ]
    (tmp_path / "sqlite-large.json").write_text(json.dumps([asdict(row) for row in rows]))
    lines = summary(tmp_path, "large").splitlines()
    floor = next(line for line in lines if line.startswith("| signed_in_floor"))
    assert floor == "| signed_in_floor | floor, no target | 0.9 ms | 30.0% | – |"
    page = next(line for line in lines if line.startswith("| pairing_page"))
    assert "20 ms ✓" in page and "✗" in page
    assert page.endswith("| 6.7% |")  # 20 req/s against the floor's 300


def test_a_floor_sent_to_the_login_page_stops_the_run() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Answers(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            signed_in = self.headers.get("Cookie") == "session=good"
            self.send_response(200 if signed_in else 302)
            if not signed_in:
                self.send_header("Location", "/login?next=/bench/signed-in")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        run._check_signed_in(port, "/bench/signed-in", {"Cookie": "session=good"})
        with pytest.raises(RuntimeError, match="answered 302 /login"):
            run._check_signed_in(port, "/bench/signed-in", {"Cookie": "session=stale"})
    finally:
        server.shutdown()
        server.server_close()
