"""An import in the browser spans several requests (upload, mapping, preview, apply), which may
each reach a different app process. Its state therefore lives on disk under
`instance/imports/<token>/`, never in a process's memory:

- `upload`: the file as uploaded;
- `job.json`: who, what kind, the detected format, the mapping and the latest summary;
- `preview.jsonl`: one line per row with its mark and reasons (read back a page at a time);
- `apply-<random>.jsonl`: the same, as an apply found each row (a file per run, so that two
  applies of one job never write into each other's), compared with the preview before
  anything is kept, and then the rows shown;
- `run.lock`: there while a preview or an apply runs, so that a second one (another tab, a
  double click) is turned away rather than run beside it;
- `progress.json`: how far the running preview or apply has come, for the progress bar: its
  phase is `reading`, then `checking` (preview) or `applying`, and at the end `done` or `failed`
  (`waiting` before any run).

Progress cannot live in the database: the apply runs in one transaction, whose writes no other
connection sees until it commits (and on SQLite a second writer would wait for the first).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from itertools import zip_longest
from pathlib import Path
from typing import IO, Any

from flask import current_app

from crm.db import utcnow
from crm.imports.engine import ERROR, RowOutcome, Summary
from crm.imports.reading import FileFormat

KEEP_FOR = timedelta(days=2)
RUN_LOCK = "run.lock"
# A lock this old was left by a process that died mid-run (an apply of 50,000 rows takes about
# a minute), and the next run takes it over.
STALE_RUN_AFTER = timedelta(minutes=30)
PREVIEW_LOG = "preview.jsonl"
# The phases after a run; the running ones are the engine's (reading, checking, applying).
WAITING, DONE, FAILED = "waiting", "done", "failed"


@dataclass
class Job:
    token: str
    kind: str
    user_id: int
    filename: str
    created_at: str
    file_format: dict[str, str | bool] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    all_or_nothing: bool = True
    state: str = "uploaded"  # uploaded, previewed, applied
    summary: dict[str, Any] | None = None
    applied_summary: dict[str, Any] | None = None

    @property
    def directory(self) -> Path:
        return jobs_root() / self.token

    @property
    def upload_path(self) -> Path:
        return self.directory / "upload"

    @property
    def format(self) -> FileFormat:
        return FileFormat(**self.file_format)

    @property
    def preview_summary(self) -> Summary | None:
        return Summary.from_json(self.summary) if self.summary else None

    @property
    def result(self) -> Summary | None:
        return Summary.from_json(self.applied_summary) if self.applied_summary else None


# The longest name most file systems allow. The name goes into every history row the import
# writes ("Imported from …"), whose note has a limit of its own, so a forged longer one is cut.
MAX_FILENAME_LENGTH = 255
# Zero-width non-joiner and joiner: part of how Persian or an emoji sequence is written.
_JOINERS = "\u200c\u200d"


def shown_filename(uploaded: str) -> str:
    """The file's name as its owner knows it, for the pages and the history's notes ("Imported
    from Партнёрства Қызылорда.csv"), from the upload or the command line. The file is stored
    under the job's token, so the name only loses a path sent with it and what would not print
    (a control or a direction override; the joiners that some scripts spell words with stay),
    and is cut to `MAX_FILENAME_LENGTH`, keeping its extension."""
    name = re.split(r"[/\\]", uploaded)[-1]
    printable = "".join(char if char.isprintable() or char in _JOINERS else " " for char in name)
    shown = " ".join(unicodedata.normalize("NFC", printable).split()) or "upload"
    if len(shown) <= MAX_FILENAME_LENGTH:
        return shown
    _, dot, extension = shown.rpartition(".")
    kept = f".{extension}" if dot and len(extension) <= 8 else ""
    return shown[: MAX_FILENAME_LENGTH - len(kept)] + kept


def jobs_root() -> Path:
    configured = current_app.config.get("IMPORT_FOLDER") or ""
    return Path(configured) if configured else Path(current_app.instance_path) / "imports"


def create_job(kind: str, user_id: int, filename: str, save_upload: Any) -> Job:
    """A new job whose file `save_upload(path)` writes; old jobs are swept on the way."""
    _sweep()
    token = secrets.token_urlsafe(16)
    job = Job(
        token=token,
        kind=kind,
        user_id=user_id,
        filename=filename,
        created_at=utcnow().isoformat(),
    )
    job.directory.mkdir(parents=True)
    save_upload(job.upload_path)
    save_job(job)
    return job


def save_job(job: Job) -> None:
    _write_atomically(job.directory / "job.json", json.dumps(asdict(job), ensure_ascii=False))


def load_job(token: str) -> Job | None:
    if not token or not all(ch.isalnum() or ch in "-_" for ch in token):
        return None
    path = jobs_root() / token / "job.json"
    try:
        return Job(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


class JobBusy(Exception):
    """Another request is previewing or applying the job."""


@contextmanager
def running(job: Job) -> Iterator[None]:
    """One preview or apply of a job at a time, in whichever app process.

    Two applies side by side (two tabs, a double click) would each find the rows new before the
    other commits, and on PostgreSQL both would write them. The lock is a file beside the job,
    where every process looks for it; `JobBusy` when another run holds it.
    """
    lock = job.directory / RUN_LOCK
    try:
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        if not _is_stale(lock):
            raise JobBusy from None
        lock.unlink(missing_ok=True)
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:  # another request took the stale lock first
            raise JobBusy from None
    os.close(descriptor)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _is_stale(lock: Path) -> bool:
    try:
        return time.time() - lock.stat().st_mtime > STALE_RUN_AFTER.total_seconds()
    except FileNotFoundError:  # released meanwhile: free to take
        return True


def delete_job(job: Job) -> None:
    shutil.rmtree(job.directory, ignore_errors=True)


class ProgressWriter:
    """Writes progress for the page to poll, at most a few times a second within a phase.

    A new phase is always written: dropping it (the engine enters the next phase a moment after
    its last report of the one before) would leave the poll showing the phase before.
    """

    def __init__(self, job: Job) -> None:
        self.path = job.directory / "progress.json"
        self.last = 0.0
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.phase and now - self.last < 0.25 and done != total:
            return
        self.last = now
        self.phase = phase
        _write_atomically(self.path, json.dumps({"phase": phase, "done": done, "total": total}))

    def finished(self, phase: str) -> None:
        """The run ended (`DONE` or `FAILED`)."""
        self.phase = phase
        _write_atomically(self.path, json.dumps({"phase": phase, "done": 0, "total": 0}))


def read_progress(job: Job) -> dict[str, Any]:
    try:
        return dict(json.loads((job.directory / "progress.json").read_text()))
    except (OSError, ValueError):
        return {"phase": WAITING, "done": 0, "total": 0}


class RowLog:
    """A run's rows, one JSON line each, so a 50,000-row preview is never all in memory.

    Written to a file of its own and put in place whole when the run ends: a reader (the job's
    page, another request's run) sees the last complete log, never one being written.
    """

    def __init__(self, job: Job, name: str = PREVIEW_LOG) -> None:
        self.path = job.directory / name
        self.writing = self.path.with_name(f".{self.path.name}.{secrets.token_hex(8)}.tmp")
        self.handle: IO[str] | None = None

    def __enter__(self) -> RowLog:
        self.handle = self.writing.open("w", encoding="utf-8")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()
        if exc_type is None:
            os.replace(self.writing, self.path)
        else:
            self.writing.unlink(missing_ok=True)

    def __call__(self, outcome: RowOutcome) -> None:
        if self.handle is None:
            raise RuntimeError("RowLog is used inside `with`")
        self.handle.write(json.dumps(outcome.to_json(), ensure_ascii=False) + "\n")


def read_rows(job: Job, *, mark: str = "", offset: int = 0, limit: int = 100) -> list[RowOutcome]:
    """A page of the preview's rows, optionally of one mark only."""
    found: list[RowOutcome] = []
    for outcome in _iter_rows(job):
        if mark and outcome.mark != mark:
            continue
        if offset:
            offset -= 1
            continue
        found.append(outcome)
        if len(found) >= limit:
            break
    return found


def _iter_rows(job: Job) -> Iterator[RowOutcome]:
    path = job.directory / PREVIEW_LOG
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield RowOutcome.from_json(json.loads(line))


def apply_log_name() -> str:
    """A name for one apply's rows, apart from any other run's."""
    return f"apply-{secrets.token_hex(8)}.jsonl"


def rows_unlike_preview(job: Job, applied_log: str) -> list[int]:
    """The rows that the apply would write otherwise than the preview showed: a pairing, a
    person or a locality changed in between, so writing the file now would do what nobody was
    shown (put back an owner a colleague has just changed, say).

    What a row does is its mark and its changes; an error row writes nothing whatever its
    message says (in the reader's language, with the closest names as they are now).
    """
    unlike: list[int] = []
    with (
        (job.directory / PREVIEW_LOG).open(encoding="utf-8") as previewed,
        (job.directory / applied_log).open(encoding="utf-8") as applied,
    ):
        for before, now in zip_longest(previewed, applied):
            if before is None or now is None or _effect(before) != _effect(now):
                unlike.append(int(json.loads(now or before)["number"]))
    return unlike


def _effect(line: str) -> tuple[Any, ...]:
    row = json.loads(line)
    if row["mark"] == ERROR:
        return (row["number"], ERROR)
    return (row["number"], row["mark"], row["changes"])


def show_applied_rows(job: Job, applied_log: str) -> None:
    """The rows as the apply found them are the ones shown from now on."""
    os.replace(job.directory / applied_log, job.directory / PREVIEW_LOG)


def drop_log(job: Job, name: str) -> None:
    (job.directory / name).unlink(missing_ok=True)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _sweep() -> None:
    root = jobs_root()
    if not root.is_dir():
        return
    limit = time.time() - KEEP_FOR.total_seconds()
    for child in root.iterdir():
        try:
            if child.is_dir() and child.stat().st_mtime < limit:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            continue
