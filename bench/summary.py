"""One table of the targets from the committed results, both databases side by side.

    python -m bench.summary [--scale large] [bench/results]

Prints Markdown: per request, the p95 at one connection and the throughput at sixteen as a share
of bare Flask, on each database that has results, and whether each meets the issue's target.
Only measured cells judge; an empty, failed or skipped one reads as a miss. Beside it, with no
target, the same throughput as a share of the signed-in floor's: how much of what a signed-in
request can do at all the page does.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.run import FLOORS, P95_DEFAULT_MS, P95_TARGET_MS, RATIO_TARGET

DATABASES = ("sqlite", "postgresql")


def _cells(rows: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    return {(row["name"], row["connections"]): row for row in rows}


def _measured(row: dict[str, Any] | None) -> bool:
    return bool(
        row
        and row["requests"] > 0
        and not row["errors"]
        and row["p95_ms"] is not None
        and not row.get("extra", {}).get("skipped")
    )


def _missing(row: dict[str, Any] | None) -> str:
    if row and row["errors"]:
        return f"failed ({row['errors']} errors)"
    return "no data"


def _p95(row: dict[str, Any] | None, limit: float | None) -> str:
    if not _measured(row):
        return _missing(row) + (" ✗" if limit else "")
    assert row is not None
    if limit is None:
        return f"{row['p95_ms']:,.1f} ms"
    mark = "✓" if row["p95_ms"] <= limit else "✗"
    return f"{row['p95_ms']:,.0f} ms {mark}"


def _ratio(row: dict[str, Any] | None, share: float | None) -> str:
    if not _measured(row):
        return _missing(row) + (" ✗" if share else "")
    assert row is not None
    if row["ratio_to_bare"] is None:
        return "–"
    value = f"{row['ratio_to_bare']:.1%}"
    if share is None:
        return value
    return f"{value} {'✓' if row['ratio_to_bare'] >= share else '✗'}"


def _share_of_floor(row: dict[str, Any] | None, floor: dict[str, Any] | None) -> str:
    if not (_measured(row) and _measured(floor)) or row is floor:
        return "–"
    assert row is not None and floor is not None
    return f"{row['rps'] / floor['rps']:.1%}"


def summary(directory: Path, scale: str) -> str:
    results = {}
    for database in DATABASES:
        path = directory / f"{database}-{scale}.json"
        if path.exists():
            results[database] = _cells(json.loads(path.read_text()))
    if not results:
        return f"No {scale} results in {directory}.\n"
    names = [name for name, connections in next(iter(results.values())) if connections == 1]
    header = ["request", "p95 target"]
    for database in results:
        header += [
            f"{database} p95 (1 conn)",
            f"{database} × bare (16 conn)",
            f"{database} × signed-in floor",
        ]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for name in names:
        if name == "bare_flask":
            continue
        limit: float | None = P95_TARGET_MS.get(name, P95_DEFAULT_MS)
        share = RATIO_TARGET.get(name)
        target = f"≤ {limit:,.0f} ms" + (f", ≥ {share:.0%} of bare" if share else "")
        if name in FLOORS:
            limit, target = None, "floor, no target"
        cells = [name, target]
        for cells_of in results.values():
            sixteen = cells_of.get((name, 16))
            cells += [
                _p95(cells_of.get((name, 1)), limit),
                _ratio(sixteen, share),
                _share_of_floor(sixteen, cells_of.get(("signed_in_floor", 16))),
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(Path(__file__).parent / "results"))
    parser.add_argument("--scale", default="large")
    args = parser.parse_args()
    print(summary(Path(args.directory), args.scale), end="")


if __name__ == "__main__":
    main()
