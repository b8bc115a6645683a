"""A bench's results folder: `bench.json` (what was measured), `results.jsonl` (one line per finished run),
`trajectories/` (every run's whole record).

The folder is the unit of resumption: a rerun skips the runs it already holds,
and it refuses to mix in results measured on other data, another model, another
budget, another base temperature or another decoding (speculation). Each line is written with one `write` and
flushed to disk, and a torn last line (a kill during the write) is ignored and
cut off on resume, so a killed bench loses at most its runs in flight.
"""
from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from coderefine.types import Budget

MANIFEST = "bench.json"
RESULTS = "results.jsonl"
LOCK = ".bench.lock"


class BenchError(ValueError):
    """The folder, the selection or the environment does not allow this bench; the message says why."""


@dataclass(frozen=True)
class Setup:
    """What must be equal for results to be comparable (and to live in one folder)."""
    dataset: str
    model: str
    budget: Budget
    selection: str = ""              # how the problems were chosen, for the report
    decoding: dict = field(default_factory=dict)   # the embedded server's reply-changing settings ({}: plain)

    def key(self) -> dict:
        return {"dataset": _dataset_name(self.dataset), "model": self.model, "budget": self.budget.to_dict(),
                "decoding": self.decoding}


def _dataset_name(spec: str) -> str:
    """`lcd:../shared/data/lcd-dev.jsonl.gz` -> `lcd:lcd-dev.jsonl.gz`: a committed results folder is resumed from
    other checkouts and working directories, so the file's folder is no part of the data's identity (each
    problem's hash, checked beside the setup, is)."""
    kind, sep, path = spec.partition(":")
    return f"{kind}{sep}{Path(path).name or path}" if sep else spec


@dataclass
class Manifest:
    setup: Setup
    problems: dict[str, str] = field(default_factory=dict)   # id -> problem hash

    def to_dict(self) -> dict:
        return {"dataset": self.setup.dataset, "model": self.setup.model, "budget": self.setup.budget.to_dict(),
                "decoding": self.setup.decoding, "selection": self.setup.selection, "problems": self.problems}

    @classmethod
    def from_dict(cls, data: dict) -> "Manifest":
        setup = Setup(dataset=data["dataset"], model=data["model"], budget=Budget(**data["budget"]),
                      selection=data.get("selection", ""), decoding=dict(data.get("decoding", {})))
        return cls(setup=setup, problems=dict(data.get("problems", {})))


@dataclass(frozen=True)
class RunKey:
    method: str
    problem: str
    seed: int

    def path(self) -> Path:
        """Where this run's trajectory lives, relative to the folder."""
        safe = self.problem.replace("/", "_")
        return Path("trajectories") / self.method / f"{safe}.seed{self.seed}.json"


class ResultStore:
    """One results folder. Thread-safe appends; reading tolerates a torn last line."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._lock = threading.Lock()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Held by the one bench that writes here: a second one would run the same runs again, and its repair of
        a torn last line could cut a line the first is writing."""
        self._create()
        lock = FileLock(self.folder / LOCK)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise BenchError(f"another bench is writing to {self.folder}; wait for it to end (its runs are kept), "
                             "or use another --out folder") from None
        try:
            yield
        finally:
            lock.release()

    def _create(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BenchError(f"{self.folder}: cannot create the results folder: {exc.strerror}") from exc

    # --- manifest ------------------------------------------------------------------------------

    def open(self, setup: Setup, problems: dict[str, str]) -> Manifest:
        """Create the folder, or check that it holds results of the same setup and data, and record the
        problems this bench adds. Raises BenchError on any mismatch, before any work is done."""
        self._create()
        path = self.folder / MANIFEST
        manifest = Manifest(setup, {})
        if path.exists():
            manifest = self.manifest()
            theirs, ours = manifest.setup.key(), setup.key()
            if theirs != ours and not self.results():   # nothing to keep: the folder takes the new setup
                manifest = Manifest(setup, {})
            elif theirs != ours:
                diff = ", ".join(f"{k}: {theirs[k]} there, {ours[k]} here" for k in ours if theirs[k] != ours[k])
                hint = (" (or pass the --speculation and --draft-max it was run with; {} is --speculation none)"
                        if theirs["decoding"] != ours["decoding"] else "")
                raise BenchError(f"{self.folder} holds results of another setup ({diff}); use another --out "
                                 f"folder{hint}")
        changed = sorted(p for p, h in problems.items() if manifest.problems.get(p, h) != h)
        if changed:
            raise BenchError(f"{self.folder} holds results for other versions of {', '.join(changed[:5])} "
                             f"(the statement or tests changed); use another --out folder")
        manifest.problems.update(problems)
        if setup.selection and not manifest.setup.selection:
            manifest = Manifest(setup, manifest.problems)
        self._write_json(path, manifest.to_dict())
        return manifest

    def manifest(self) -> Manifest:
        path = self.folder / MANIFEST
        if not path.is_file():
            raise BenchError(f"{self.folder}: no {MANIFEST} here; is it a bench results folder?")
        try:
            return Manifest.from_dict(json.loads(path.read_text()))
        except (ValueError, KeyError, TypeError) as exc:
            raise BenchError(f"{path}: not a bench manifest ({exc}); is this a bench results folder?") from exc

    # --- results -------------------------------------------------------------------------------

    def results(self) -> list[dict]:
        """Every complete line; a torn last line is skipped."""
        path = self.folder / RESULTS
        if not path.exists():
            return []
        rows = []
        for line in path.read_bytes().split(b"\n"):
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and {"method", "problem", "seed"} <= row.keys():
                rows.append(row)
        return rows

    def done(self) -> set[RunKey]:
        return {RunKey(r["method"], r["problem"], r["seed"]) for r in self.results()}

    def repair(self) -> None:
        """Cut a torn last line (left by a kill during a write) so the next append starts clean."""
        path = self.folder / RESULTS
        if not path.exists():
            return
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(path, "r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)

    def append(self, row: dict) -> None:
        """One line, flushed to disk. A short write (a disk filling up) is continued, which completes the line
        or raises the real error, so the next row is never glued onto a torn line."""
        line = (json.dumps(row, sort_keys=True) + "\n").encode()
        with self._lock:
            fd = os.open(self.folder / RESULTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                while line:
                    line = line[os.write(fd, line):]
                os.fsync(fd)
            finally:
                os.close(fd)

    def _write_json(self, path: Path, data: dict) -> None:
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp, path)
