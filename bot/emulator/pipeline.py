"""The request pipeline around every REST handler: parse, record, slow down, fail, validate."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.emulator import responses
from bot.emulator.records import RecordedRequest, UploadedFile, Violation

if TYPE_CHECKING:
    from bot.emulator.server import DiscordEmulator

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RECORD_KEY: web.RequestKey[RecordedRequest] = web.RequestKey("emu_record", RecordedRequest)
TEMPLATE_KEY: web.RequestKey[str] = web.RequestKey("emu_template", str)

# Webhook and interaction routes are authenticated by their token, not the bot token.
_TOKEN_ROUTES = ("/webhooks/", "/interactions/")


def route_template(request: web.Request) -> str | None:
    info = request.match_info.route.resource
    canonical = info.canonical if info is not None else ""
    if not canonical.startswith(API_PREFIX) or "{tail" in canonical:
        return None
    return canonical.removeprefix(API_PREFIX)


async def _read_body(request: web.Request) -> tuple[Any, list[UploadedFile], list[str]]:
    """The JSON body (or multipart ``payload_json``), uploaded files, and parse problems."""
    if not request.body_exists:
        return None, [], []
    content_type = request.content_type
    if content_type == "multipart/form-data":
        payload: Any = None
        files: list[UploadedFile] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, aiohttp.BodyPartReader):
                continue
            data = await part.read(decode=False)
            if part.name == "payload_json":
                try:
                    payload = json.loads(data)
                except ValueError:
                    return None, files, ["payload_json: not valid JSON"]
            else:
                files.append(
                    UploadedFile(
                        field_name=part.name or "",
                        filename=part.filename or "",
                        content_type=part.headers.get("Content-Type"),
                        data=bytes(data),
                    )
                )
        return payload, files, []
    raw = await request.read()
    if not raw:
        return None, [], []
    try:
        return json.loads(raw), [], []
    except ValueError:
        return None, [], ["(body): not valid JSON"]


def make_middleware(emu: DiscordEmulator) -> Middleware:
    @web.middleware
    async def pipeline(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        template = route_template(request)
        path = request.path.removeprefix(API_PREFIX)
        try:
            body, files, parse_problems = await _read_body(request)
        except (ValueError, aiohttp.ClientError) as exc:
            body, files, parse_problems = None, [], [f"(body): unreadable: {exc}"]
        record = RecordedRequest(
            method=request.method,
            path=path,
            route_template=template,
            json=body,
            files=files,
            headers=dict(request.headers),
            query=dict(request.query),
            at=time.monotonic(),
            at_utc=datetime.now(UTC),
        )
        request[RECORD_KEY] = record
        if template is not None:
            request[TEMPLATE_KEY] = template
        bucket = hashlib.sha1((template or path).encode()).hexdigest()[:16]
        try:
            response = await _answer(emu, request, handler, record, parse_problems, bucket)
        except web.HTTPException as exc:
            response = responses.error(exc.status, 0, f"{exc.status}: {exc.reason}")
        except Exception as exc:
            # A bug in the emulator, not in the bot: keep serving, but make it visible.
            log.exception("emulator failed on %s %s", request.method, path)
            emu.internal_errors.append(f"{request.method} {path}: {exc!r}")
            response = responses.error(500, 0, "500: Internal Server Error (emulator bug)")
        if response.status != 429:
            response.headers.update(responses.rate_limit_headers(bucket))
        record.status = response.status
        if isinstance(response, web.Response) and response.body:
            try:
                record.response = json.loads(response.body)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                record.response = None
        if emu.latency:
            await asyncio.sleep(emu.latency)
        emu._record(record)
        return response

    return pipeline


async def _answer(
    emu: DiscordEmulator,
    request: web.Request,
    handler: Handler,
    record: RecordedRequest,
    parse_problems: list[str],
    bucket: str,
) -> web.StreamResponse:
    template = record.route_template
    if template is None:
        log.warning("unknown route %s %s", record.method, record.path)
        return responses.error(404, 0, "404: Not Found")
    fault = emu._take_fault(record.method, template, record.path)
    if fault is not None:
        record.fault = True
        if fault.status == 429:
            return responses.too_many_requests(
                bucket, fault.retry_after, fault.global_, scope=fault.scope
            )
        message = fault.message or f"{fault.status}: emulated failure"
        return responses.error(fault.status, fault.code, message)
    retry_after = emu._global_retry_after(template)
    if retry_after is not None:
        emu.global_limit_hits += 1
        return responses.too_many_requests(bucket, retry_after, True)
    needs_bot_token = not record.path.startswith(_TOKEN_ROUTES)
    if needs_bot_token and (emu.reject_token or not request.headers.get("Authorization")):
        return responses.error(*responses.UNAUTHORIZED)
    problems = list(parse_problems)
    if emu.validate and record.json is not None:
        problems += emu.validator.validate(record.method, template, record.json)
    if problems:
        record.violations = problems
        for problem in problems:
            violation = Violation(record.method, record.path, problem, template)
            log.warning("invalid request body: %s", violation)
            emu.violations.append(violation)
        return responses.invalid_form_body(problems)
    try:
        return await handler(request)
    except responses.Refused as refused:
        return refused.response
