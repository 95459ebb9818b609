"""Raw text bodies of the bulk endpoints: media type, size limit and UTF-8, checked once."""

from __future__ import annotations

from fastapi import Request

from autoforge.errors import AutoforgeError, ValidationFailed

MAX_IMPORT_BYTES = 64 * 1024 * 1024


class UnsupportedMediaTypeError(AutoforgeError):
    status = 415
    title = "Unsupported media type"


class PayloadTooLargeError(AutoforgeError):
    status = 413
    title = "Payload too large"


async def read_text(
    request: Request, content_type: str | None, accepted: tuple[str, ...], what: str
) -> str:
    """The body as text, if its media type is one of `accepted` (`what` names the format in
    the 415 message) and it is at most MAX_IMPORT_BYTES of UTF-8."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in accepted:
        raise UnsupportedMediaTypeError(
            f"send {what} as one of {', '.join(accepted)}, not {media_type!r}"
        )
    declared = request.headers.get("content-length", "")
    # Refuse an oversized body from its declared length before reading it into memory.
    if declared.isdigit() and int(declared) > MAX_IMPORT_BYTES:
        raise PayloadTooLargeError(f"at most {MAX_IMPORT_BYTES} bytes per import; split the file")
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise PayloadTooLargeError(f"at most {MAX_IMPORT_BYTES} bytes per import; split the file")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "the body is not UTF-8", errors=[{"field": "body", "message": str(exc)}]
        ) from None
