"""Slow statements: their shape (SQL with every literal and parameter removed), kept as JSON
lines in `<data dir>/slow_queries.jsonl` by every process, and the worst shapes from it.

Each process appends whole lines (one write each, in append mode, so lines of several
processes do not interleave). Past `max_bytes` the file is renamed to `slow_queries.jsonl.1`
(replacing the older one) and a new one begins: at most twice `max_bytes` are kept.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import FrameType
from typing import Any

log = logging.getLogger("autoforge.db.slow")
FILE_NAME = "slow_queries.jsonl"
_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b")
_NAMED = re.compile(r"(?::[A-Za-z_]\w*|\$\d+|%\(\w+\)s|%s)")
_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)")
_ROWS = re.compile(r"\(\?\.\.\.\)(?:\s*,\s*\(\?\.\.\.\))+")
_SPACE = re.compile(r"\s+")
_SHAPE_LIMIT = 2000
_HERE = os.sep + os.path.join("autoforge", "")
# Frames of these packages are the machinery, not the code that asked for the statement.
_MACHINERY = (os.path.join("autoforge", "db", ""), os.path.join("autoforge", "observability", ""))


@lru_cache(maxsize=2048)
def shape_of(statement: str) -> str:
    """The statement with literals and parameters as `?` and lists of them folded, so the
    same query with other values has the same shape."""
    text = _STRING.sub("?", statement)
    text = _NAMED.sub("?", text)
    text = _NUMBER.sub("?", text)
    text = _LIST.sub("(?...)", text)
    text = _ROWS.sub("(?...), ...", text)
    return _SPACE.sub(" ", text).strip()[:_SHAPE_LIMIT]


def caller() -> str | None:
    """The first frame inside autoforge outside the database layer: `module.py:line func`."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if _HERE in filename and not any(part in filename for part in _MACHINERY):
            short = filename[filename.rindex(_HERE) + 1 :]
            return f"{short}:{frame.f_lineno} {frame.f_code.co_name}"
        frame = frame.f_back
    return None


class SlowQueryLog:
    """Appends slow statements to the JSONL file, bounded by rotation."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, default=str) + "\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if self.path.exists() and self.path.stat().st_size + len(line) > self.max_bytes:
                    os.replace(self.path, rotated(self.path))
                with self.path.open("a", encoding="utf-8") as out:
                    out.write(line)
            except OSError as exc:
                log.warning("could not keep a slow query in %s: %s", self.path, exc)


def rotated(path: Path) -> Path:
    return path.with_name(path.name + ".1")


def entries(path: Path) -> Iterator[dict[str, Any]]:
    """The kept slow statements, older file first; unreadable lines are skipped."""
    for source in (rotated(path), path):
        if not source.exists():
            continue
        with source.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict) and isinstance(entry.get("shape"), str):
                    yield entry


@dataclass
class ShapeReport:
    shape: str
    table: str
    count: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0
    callers: dict[str, int] = field(default_factory=dict)

    @property
    def mean_ms(self) -> float:
        return self.total_ms / self.count if self.count else 0.0

    @property
    def top_caller(self) -> str | None:
        return max(self.callers, key=lambda c: self.callers[c]) if self.callers else None

    def as_json(self) -> dict[str, Any]:
        return {
            "shape": self.shape,
            "table": self.table,
            "count": self.count,
            "total_ms": round(self.total_ms, 3),
            "mean_ms": round(self.mean_ms, 3),
            "max_ms": round(self.max_ms, 3),
            "top_caller": self.top_caller,
        }


def worst_shapes(path: Path, limit: int = 10) -> list[ShapeReport]:
    """Shapes by the time they cost in all (count times duration), worst first."""
    reports: dict[str, ShapeReport] = {}
    for entry in entries(path):
        duration = float(entry.get("duration_ms") or 0.0)
        report = reports.setdefault(
            entry["shape"], ShapeReport(entry["shape"], str(entry.get("table") or "-"))
        )
        report.count += 1
        report.total_ms += duration
        report.max_ms = max(report.max_ms, duration)
        if entry.get("caller"):
            report.callers[entry["caller"]] = report.callers.get(entry["caller"], 0) + 1
    return sorted(reports.values(), key=lambda r: r.total_ms, reverse=True)[:limit]
