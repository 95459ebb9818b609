"""Structured logs: JSON off a terminal with the request and job ids, sane request ids."""

from __future__ import annotations

import io
import json
import logging

from autoforge.observability.logs import (
    HumanFormatter,
    JsonFormatter,
    accepted_request_id,
    configure_logging,
    log_context,
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced() -> None:
    assert accepted_request_id("abc-123.def:9_x") == "abc-123.def:9_x"
    for bad in (None, "", "a b", "x" * 200, "id\r\nX-Injected: 1", "ünïcode"):
        made = accepted_request_id(bad)
        assert made != bad
        assert len(made) == 32
        assert made.isalnum()


def test_lines_off_a_terminal_are_json_with_the_ids_and_extra_fields() -> None:
    stream = io.StringIO()
    configure_logging("INFO", stream)
    try:
        with log_context(request_id="req-1", job_id="job-9"):
            logging.getLogger("autoforge.test").warning("hello %s", "world", extra={"table": "t"})
        logging.getLogger("autoforge.test").info("outside")
    finally:
        configure_logging("INFO")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "hello world"
    assert (first["level"], first["logger"]) == ("warning", "autoforge.test")
    assert (first["request_id"], first["job_id"], first["table"]) == ("req-1", "job-9", "t")
    assert "request_id" not in second


def test_a_marker_object_a_library_puts_on_records_is_left_out() -> None:
    record = logging.LogRecord("litellm", logging.INFO, __file__, 1, "hi", None, None)
    record.litellm_redacted = object()  # what LiteLLM tags every record with
    record.table = "prompts"

    line = json.loads(JsonFormatter().format(record))

    assert "litellm_redacted" not in line
    assert line["table"] == "prompts"


def test_a_terminal_gets_readable_lines() -> None:
    stream = _Terminal()
    configure_logging("INFO", stream)
    try:
        with log_context(request_id="req-2"):
            logging.getLogger("autoforge.test").info("readable")
    finally:
        configure_logging("INFO")
    line = stream.getvalue().strip()
    assert "readable" in line
    assert "request_id=req-2" in line
    assert not line.startswith("{")
    handler = logging.getLogger().handlers[-1]
    assert isinstance(handler.formatter, JsonFormatter | HumanFormatter)
