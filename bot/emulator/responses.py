"""Responses shaped like Discord's."""

from __future__ import annotations

import json
import time
from typing import Any

from aiohttp import web

JSON = "application/json"


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # Exactly "application/json": aiohttp's json_response appends "; charset=utf-8", and
    # discord.py compares the header literally, treating anything else as plain text.
    all_headers = {"Content-Type": JSON, **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def no_content() -> web.Response:
    return web.Response(status=204)


def error(status: int, code: int, message: str, **extra: Any) -> web.Response:
    return json_response({"message": message, "code": code, **extra}, status=status)


def not_found(what: str, code: int) -> web.Response:
    return error(404, code, f"Unknown {what}")


class Refused(Exception):
    """Discord's error answer, raised where a handler's lookup fails (an unknown channel, a
    missing permission) so the handler reads straight on; the pipeline sends the response."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


UNAUTHORIZED = (401, 0, "401: Unauthorized")
MISSING_ACCESS = (403, 50001, "Missing Access")


def rate_limit_headers(
    bucket: str, *, remaining: int = 49, reset_after: float = 1.0
) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket,
    }


def too_many_requests(
    bucket: str, retry_after: float, global_: bool, *, scope: str | None = None
) -> web.Response:
    headers = rate_limit_headers(bucket, remaining=0, reset_after=retry_after)
    # discord.py only trusts a 429 with a Via header; without it it assumes a Cloudflare ban.
    headers["Via"] = "1.1 google"
    headers["Retry-After"] = str(max(1, round(retry_after)))
    headers["X-RateLimit-Scope"] = scope or ("global" if global_ else "user")
    if global_:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": global_}
    if global_:
        body["code"] = 0
    return json_response(body, status=429, headers=headers)


def invalid_form_body(problems: list[str]) -> web.Response:
    errors: dict[str, Any] = {}
    for problem in problems:
        where, _, message = problem.partition(": ")
        errors.setdefault(where, {"_errors": []})["_errors"].append(
            {"code": "BASE_TYPE_INVALID", "message": message}
        )
    return error(400, 50035, "Invalid Form Body", errors=errors)
