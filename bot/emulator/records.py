"""What the emulator records for tests to assert on, and the faults tests can schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class UploadedFile:
    field_name: str  # e.g. "files[0]"
    filename: str
    content_type: str | None
    data: bytes

    @property
    def index(self) -> int | None:
        """The n in ``files[n]``, which ties the file to ``attachments[].id`` in the payload."""
        name = self.field_name
        if name.startswith("files[") and name.endswith("]") and name[6:-1].isdigit():
            return int(name[6:-1])
        return None


@dataclass
class RecordedRequest:
    method: str
    path: str  # below the API base, without the query, e.g. "/channels/123/messages"
    route_template: str | None  # OpenAPI template, None for routes the emulator does not know
    json: Any  # the JSON body, or the parsed ``payload_json`` part of a multipart body
    files: list[UploadedFile]
    headers: dict[str, str]
    query: dict[str, str]
    at: float  # time.monotonic()
    at_utc: datetime
    status: int = 0
    response: Any = None
    violations: list[str] = field(default_factory=list)
    deduplicated: bool = False  # answered from the nonce cache instead of creating a message
    fault: bool = False  # answered by a scheduled fault


@dataclass(frozen=True)
class Violation:
    method: str
    path: str
    message: str
    route_template: str | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.route_template or self.path}: {self.message}"


@dataclass
class FaultRule:
    method: str
    route: str  # template ("/channels/{channel_id}/messages") or a concrete path
    status: int
    times: int
    retry_after: float = 0.2
    global_: bool = False
    code: int = 0
    message: str | None = None
    scope: str | None = None  # a 429's X-RateLimit-Scope; None: "global" or "user"

    def matches(self, method: str, template: str | None, path: str) -> bool:
        return self.method == method and self.route in (template, path)
