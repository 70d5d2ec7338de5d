"""API plumbing shared by every router: error responses (who is calling is accounts' business:
apps.accounts.api_auth)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError

logger = logging.getLogger(__name__)


def validation_messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "message_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


# Where pydantic says an error is: the request part, then (for a JSON body) the parameter's name.
_LOC_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def schema_errors(errors) -> dict[str, list[str]]:
    """Pydantic's errors as {field: [message]}, the field written as in the request
    ("texts", "boxes[0].x", "page_size"; "body" for the body as a whole)."""
    out: dict[str, list[str]] = {}
    for error in errors:
        loc = list(error.get("loc") or ())
        if loc and loc[0] in _LOC_SOURCES:
            source, loc = loc[0], loc[1:]
            if source == "body":
                loc = loc[1:] or ["body"]
        field = ""
        for part in loc:
            if isinstance(part, str) and part.startswith("function-"):
                continue  # a validator's wrapper (e.g. ninja's root validator), not a field
            field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
        out.setdefault(field or "__all__", []).append(str(error.get("msg", "Invalid value.")))
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error is JSON with a `detail` message; bad input is never a 500."""

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request,
            {"detail": "Authentication required: sign in, or send 'Authorization: Bearer <api token>'."},
            status=401,
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"detail": "Not found."}, status=404)

    @api.exception_handler(SchemaValidationError)
    def invalid_schema(request, exc):
        errors = schema_errors(exc.errors)
        field, messages = next(iter(errors.items())) if errors else ("__all__", ["Invalid input."])
        detail = messages[0] if field == "__all__" else f"{field}: {messages[0]}"
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        errors = validation_messages(exc)
        first = next(iter(errors.values()))[0] if errors else "Invalid input."
        return api.create_response(request, {"detail": first, "errors": errors}, status=422)

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.exception("unhandled API error on %s %s", request.method, request.path)
        return api.create_response(
            request, {"detail": "Internal server error. It has been logged."}, status=500
        )
