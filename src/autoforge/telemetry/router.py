"""OTLP/HTTP trace ingestion: `POST /v1/traces` (the OTLP path, for any exporter pointed at
this server) and `POST /api/public/otel/v1/traces` (where the Langfuse SDKs send theirs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from autoforge.api.bodies import PayloadTooLargeError, UnsupportedMediaTypeError
from autoforge.api.deps import WriteUoW
from autoforge.api.problems import PROBLEM_JSON, Problem
from autoforge.api.responses import problems
from autoforge.errors import AutoforgeError
from autoforge.telemetry import otlp
from autoforge.telemetry.mapping import Span
from autoforge.telemetry.service import ingest

router = APIRouter(tags=["telemetry"])
LANGFUSE_PATH = "/api/public/otel/v1/traces"
OTLP_PATH = "/v1/traces"

_BINARY = {"schema": {"type": "string", "format": "binary"}}
_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "description": "An OTLP ExportTraceServiceRequest; `Content-Encoding: gzip` accepted",
        "content": {
            otlp.JSON: {"schema": {"type": "object", "description": "OTLP/JSON (hex ids)"}},
            otlp.PROTOBUF: _BINARY,
        },
    }
}
_PARTIAL_SUCCESS = {
    "type": "object",
    "properties": {
        "partialSuccess": {
            "type": "object",
            "properties": {
                "rejectedSpans": {"type": "string", "description": "int64, as OTLP/JSON"},
                "errorMessage": {"type": "string"},
            },
        }
    },
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "ExportTraceServiceResponse, in the request's encoding: empty, or "
        "`partial_success` counting the spans that could not be stored and why (and, as a "
        "warning that rejects none, the spans already stored, which are kept once)",
        "content": {otlp.JSON: {"schema": _PARTIAL_SUCCESS}, otlp.PROTOBUF: _BINARY},
    },
    400: {
        "model": Problem,
        "description": "The body is not an ExportTraceServiceRequest in its declared encoding",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    },
    **problems(413, 415, 503),
}


class MalformedTraces(AutoforgeError):
    status = 400
    title = "Malformed OTLP body"


@dataclass(frozen=True)
class Decoded:
    """The request's spans, decoded before any transaction opens."""

    media: str
    spans: list[Span]


async def decoded_body(request: Request) -> Decoded:
    try:
        media = otlp.media_type(request.headers.get("content-type"))
        body = await request.body()
        encoding = request.headers.get("content-encoding")
        return Decoded(media, await run_in_threadpool(otlp.read, body, media, encoding))
    except otlp.UnsupportedEncoding as exc:
        raise UnsupportedMediaTypeError(str(exc)) from None
    except otlp.TooLarge as exc:
        raise PayloadTooLargeError(str(exc)) from None
    except otlp.MalformedBody as exc:
        raise MalformedTraces(str(exc)) from None


@router.post(OTLP_PATH, response_class=Response, responses=_RESPONSES, openapi_extra=_REQUEST_BODY)
@router.post(
    LANGFUSE_PATH, response_class=Response, responses=_RESPONSES, openapi_extra=_REQUEST_BODY
)
def export_traces(body: Annotated[Decoded, Depends(decoded_body)], uow: WriteUoW) -> Response:
    """OTLP/HTTP trace export (protobuf or JSON, optionally gzip). Spans that are model calls
    (GenAI `gen_ai.*`, OpenInference `llm.*`, Langfuse generations) are stored as traces of
    the caller's project, with `source` "otlp": see `GET /api/v1/traces`. Other spans are
    accepted and not stored; spans that cannot be stored are counted in `partial_success`.
    A span the project already has (an exporter's retry) is accepted and stored once."""
    result = ingest(uow.session, body.spans)
    content = otlp.response(body.media, len(result.rejected), result.message())
    return Response(content=content, media_type=body.media)
