"""OTLP/HTTP trace bodies: decoding an ExportTraceServiceRequest (protobuf or JSON, plain or
gzip/deflate) into `mapping.Span`s, and encoding the ExportTraceServiceResponse.

OTLP/JSON differs from protobuf's canonical JSON in one way that matters here: trace and span
ids are hex strings, not base64 (opentelemetry-proto docs/specification.md, "JSON Protobuf
Encoding"); they are turned into base64 before `json_format` reads the message.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Iterator
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]
from google.protobuf.message import DecodeError  # type: ignore[import-untyped]
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Status

from autoforge.telemetry.mapping import Span

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
MEDIA_TYPES = (PROTOBUF, JSON)
# A compressed body is counted by the body limit; what it inflates to is bounded here.
MAX_INFLATED_BYTES = 64 * 1024 * 1024
_ID_FIELDS = ("traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id")


class MalformedBody(ValueError):
    """The body is not an ExportTraceServiceRequest in the declared encoding."""


class UnsupportedEncoding(ValueError):
    """A media type or Content-Encoding this endpoint does not read."""


class TooLarge(ValueError):
    """The body inflates to more than MAX_INFLATED_BYTES."""


def media_type(content_type: str | None) -> str:
    """The request's media type, one of MEDIA_TYPES, or UnsupportedEncoding."""
    found = (content_type or "").split(";")[0].strip().lower()
    if found not in MEDIA_TYPES:
        raise UnsupportedEncoding(
            f"send OTLP traces as {PROTOBUF} or {JSON}, not {found or 'no Content-Type'!r}"
        )
    return found


def decode(body: bytes, media: str, content_encoding: str | None) -> ExportTraceServiceRequest:
    raw = inflate(body, content_encoding)
    if media == PROTOBUF:
        message = ExportTraceServiceRequest()
        try:
            message.ParseFromString(raw)
            return message
        except (DecodeError, RuntimeError, ValueError) as exc:
            raise MalformedBody(f"not an OTLP protobuf ExportTraceServiceRequest: {exc}") from None
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise MalformedBody(f"not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise MalformedBody("an OTLP/JSON body is an object with `resourceSpans`")
    message = ExportTraceServiceRequest()
    try:
        _hex_ids_to_base64(document)
        json_format.ParseDict(document, message, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise MalformedBody(f"not an OTLP/JSON ExportTraceServiceRequest: {exc}") from None
    return message


def inflate(body: bytes, content_encoding: str | None) -> bytes:
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "identity":
        return body
    if encoding not in ("gzip", "deflate"):
        raise UnsupportedEncoding(f"Content-Encoding {encoding!r}: send gzip, deflate or none")
    # gzip: a gzip header; deflate: a zlib stream (RFC 9110), which wbits 32+ also accepts.
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)
    try:
        raw = inflater.decompress(body, MAX_INFLATED_BYTES)
        if inflater.unconsumed_tail:
            raise TooLarge(f"the body inflates to more than {MAX_INFLATED_BYTES} bytes")
        raw += inflater.flush()
    except zlib.error as exc:
        raise MalformedBody(f"the body is not valid {encoding}: {exc}") from None
    if not inflater.eof:
        raise MalformedBody(f"the {encoding} body is truncated")
    return raw


def read(body: bytes, media: str, content_encoding: str | None) -> list[Span]:
    """Every span of the body; MalformedBody, UnsupportedEncoding or TooLarge if it is not
    an ExportTraceServiceRequest this endpoint can read."""
    return list(spans(decode(body, media, content_encoding)))


def spans(request: ExportTraceServiceRequest) -> Iterator[Span]:
    """Every span of the request, resource and scope flattened away."""
    for resource_spans in request.resource_spans:
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                yield Span(
                    trace_id=span.trace_id.hex(),
                    span_id=span.span_id.hex(),
                    name=span.name,
                    start_ns=span.start_time_unix_nano,
                    end_ns=span.end_time_unix_nano,
                    attributes={kv.key: value_of(kv.value) for kv in span.attributes},
                    error=span.status.code == Status.STATUS_CODE_ERROR,
                    status_message=span.status.message,
                )


def value_of(value: AnyValue, depth: int = 0) -> Any:
    """An attribute's value as plain Python (arrays as lists, kvlists as dicts)."""
    kind = value.WhichOneof("value")
    if kind is None or depth > 8:
        return None
    if kind == "array_value":
        return [value_of(v, depth + 1) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value_of(kv.value, depth + 1) for kv in value.kvlist_value.values}
    return getattr(value, kind)


def response(media: str, rejected: int, message: str) -> bytes:
    """ExportTraceServiceResponse: empty when every span was taken as is, else
    `partial_success`; with `rejected` 0 and a message, it is a warning (OTLP's own use)."""
    answer = ExportTraceServiceResponse()
    if rejected or message:
        answer.partial_success.rejected_spans = rejected
        answer.partial_success.error_message = message
    if media == PROTOBUF:
        encoded: bytes = answer.SerializeToString()
        return encoded
    text: str = json_format.MessageToJson(answer, indent=None)
    return text.encode()


def _hex_ids_to_base64(document: dict[str, Any]) -> None:
    for resource_spans in _items(document, "resourceSpans", "resource_spans"):
        for scope_spans in _items(resource_spans, "scopeSpans", "scope_spans"):
            for span in _items(scope_spans, "spans"):
                _convert_ids(span)
                for link in _items(span, "links"):
                    _convert_ids(link)


def _items(parent: Any, *names: str) -> list[Any]:
    if not isinstance(parent, dict):
        return []
    for name in names:
        found = parent.get(name)
        if isinstance(found, list):
            return found
    return []


def _convert_ids(holder: Any) -> None:
    if not isinstance(holder, dict):
        return
    for name in _ID_FIELDS:
        value = holder.get(name)
        if isinstance(value, str) and value:
            holder[name] = _hex_to_base64(value)


def _hex_to_base64(value: str) -> str:
    # Hex as the spec says; anything else is left for json_format, which reads base64 (what
    # some older exporters sent) and rejects the rest.
    try:
        return base64.b64encode(bytes.fromhex(value)).decode("ascii")
    except (ValueError, binascii.Error):
        return value
