"""Structured logs: one JSON object a line when stderr is not a terminal, readable lines on
a terminal; every line carries the request id (and the job id) of the work it is about.

The ids live in context variables: the HTTP middleware sets the request id for a request,
the job runner sets the request id that queued the job while the job runs. A record's
`extra` fields (e.g. the slow-query fields) become keys of its JSON object.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
JOB_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id", default=None)
# An incoming X-Request-ID is kept when it is this sane; otherwise a new one is made.
_SANE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
# What every LogRecord has: anything else on a record came from `extra`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "job_id",
    "color_message",  # uvicorn's copy of the message with terminal colours
}


_PLAIN = (str, int, float, bool, list, dict, tuple)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(incoming: str | None) -> str:
    """The caller's id when it is short and plain (so it is safe in logs and headers)."""
    if incoming and _SANE_ID.fullmatch(incoming):
        return incoming
    return new_request_id()


@contextmanager
def log_context(*, request_id: str | None, job_id: str | None = None) -> Iterator[None]:
    """The ids every log line inside carries."""
    request_token = REQUEST_ID.set(request_id)
    job_token = JOB_ID.set(job_id)
    try:
        yield
    finally:
        JOB_ID.reset(job_token)
        REQUEST_ID.reset(request_token)


class _ContextIds(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        record.job_id = JOB_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "job_id"):
            if getattr(record, key, None):
                line[key] = getattr(record, key)
        for key, value in vars(record).items():
            # Plain values only: a library may tag every record with a marker object
            # (LiteLLM adds `litellm_redacted`), which says nothing in a log line.
            if key not in _STANDARD and not key.startswith("_") and isinstance(value, _PLAIN):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class HumanFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = [f"{key}={getattr(record, key)}" for key in ("request_id", "job_id")]
        shown = [item for item in ids if not item.endswith("=None")]
        return f"{text}  [{' '.join(shown)}]" if shown else text


def configure_logging(level: str = "INFO", stream: IO[str] | None = None) -> None:
    """One handler on the root logger, for this process's own lines and its libraries'
    (uvicorn's access lines included, which then carry the request id too)."""
    target = stream or sys.stderr
    handler = logging.StreamHandler(target)
    handler.setFormatter(HumanFormatter() if target.isatty() else JsonFormatter())
    handler.addFilter(_ContextIds())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_autoforge", False)]:
        root.removeHandler(old)
    handler._autoforge = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
