"""The websocket gateway: HELLO/IDENTIFY/READY, heartbeats, RESUME, zlib-stream and sharding."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from bot.emulator.snowflake import shard_for
from bot.emulator.state import World

log = logging.getLogger(__name__)

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_RESUME = 6
OP_RECONNECT = 7
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12

# Events a session only receives when it asked for the matching intent.
_EVENT_INTENTS: dict[str, tuple[int, int]] = {
    # event: (intent for guild events, intent for DM events)
    "MESSAGE_CREATE": (INTENT_GUILD_MESSAGES, INTENT_DIRECT_MESSAGES),
    "MESSAGE_UPDATE": (INTENT_GUILD_MESSAGES, INTENT_DIRECT_MESSAGES),
    "MESSAGE_DELETE": (INTENT_GUILD_MESSAGES, INTENT_DIRECT_MESSAGES),
    "CHANNEL_CREATE": (INTENT_GUILDS, 0),
    "CHANNEL_UPDATE": (INTENT_GUILDS, 0),
    "CHANNEL_DELETE": (INTENT_GUILDS, 0),
    "GUILD_CREATE": (INTENT_GUILDS, INTENT_GUILDS),
    "GUILD_DELETE": (INTENT_GUILDS, INTENT_GUILDS),
}


class _Connection:
    """One websocket; frames go through a queue so dispatching never blocks the caller."""

    def __init__(self, ws: web.WebSocketResponse, compress: bool) -> None:
        self.ws = ws
        self._compressor = zlib.compressobj() if compress else None
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    async def write_loop(self) -> None:
        while (frame := await self.queue.get()) is not None:
            if self.ws.closed:
                return
            text = json.dumps(frame, separators=(",", ":"))
            try:
                if self._compressor is None:
                    await self.ws.send_str(text)
                else:
                    # One compressor per connection; each frame ends with a sync flush
                    # (00 00 ff ff), which is how discord.py finds frame boundaries.
                    data = self._compressor.compress(text.encode())
                    data += self._compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
            except (ConnectionError, RuntimeError) as exc:
                log.debug("gateway write failed: %s", exc)
                return

    def send(self, frame: dict[str, Any]) -> None:
        self.queue.put_nowait(frame)


@dataclass
class GatewaySession:
    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    seq: int = 0
    # Every dispatch sent in this session, so RESUME can replay what was missed.
    log: list[dict[str, Any]] = field(default_factory=list)
    connection: _Connection | None = None

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data}
        self.log.append(frame)
        if self.connection is not None:
            self.connection.send(frame)

    def wants(self, event: str, guild_id: int | None) -> bool:
        if guild_id is None and self.shard_id != 0:
            return False
        if guild_id is not None and shard_for(guild_id, self.shard_count) != self.shard_id:
            return False
        needed = _EVENT_INTENTS.get(event)
        if needed is None:
            return True
        intent = needed[0] if guild_id is not None else needed[1]
        return intent == 0 or bool(self.intents & intent)


class Gateway:
    """Accepts gateway connections and routes dispatches to the right shard sessions."""

    HEARTBEAT_INTERVAL_MS = 41_250

    def __init__(self, world: World, url: Callable[[], str], on_change: Callable[[], None]) -> None:
        self._world = world
        self._url = url
        self._on_change = on_change
        self.sessions: dict[str, GatewaySession] = {}
        self.identify_payloads: list[dict[str, Any]] = []
        self.resume_count = 0
        self.ready_count = 0
        self._connections: set[_Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- dispatching -------------------------------------------------------------------------
    def dispatch(self, event: str, data: dict[str, Any], guild_id: int | None = None) -> int:
        """Send an event to every session that should see it; returns how many got it."""
        delivered = 0
        for session in self.sessions.values():
            if session.wants(event, guild_id):
                session.dispatch(event, data)
                delivered += 1
        return delivered

    @property
    def connected_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.connection is not None]

    async def drop(self, code: int = 4000) -> None:
        """Close every live connection abnormally; sessions stay resumable."""
        for session in self.connected_sessions:
            connection = session.connection
            session.connection = None
            if connection is not None:
                connection.queue.put_nowait(None)
                await connection.ws.close(code=code, message=b"emulator dropped the connection")

    async def close(self) -> None:
        for connection in list(self._connections):
            connection.queue.put_nowait(None)
            with contextlib.suppress(Exception):
                await connection.ws.close(code=WSCloseCode.GOING_AWAY)
        for task in list(self._tasks):
            task.cancel()
        self.sessions.clear()

    # -- the websocket handler ---------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        compress = request.query.get("compress") == "zlib-stream"
        if request.query.get("compress") not in (None, "zlib-stream"):
            log.warning("unsupported gateway compression %s; sending plain text", request.query)
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        connection = _Connection(ws, compress)
        self._connections.add(connection)
        writer = asyncio.create_task(connection.write_loop())
        self._tasks.add(writer)
        session: GatewaySession | None = None
        connection.send({"op": OP_HELLO, "d": {"heartbeat_interval": self.HEARTBEAT_INTERVAL_MS}})
        try:
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(message.data)
                session = self._handle_op(connection, session, payload) or session
        finally:
            if session is not None and session.connection is connection:
                session.connection = None
            connection.queue.put_nowait(None)
            self._connections.discard(connection)
            self._tasks.discard(writer)
            self._on_change()
        return ws

    def _handle_op(
        self, connection: _Connection, session: GatewaySession | None, payload: dict[str, Any]
    ) -> GatewaySession | None:
        op = payload.get("op")
        data = payload.get("d")
        if op == OP_HEARTBEAT:
            connection.send({"op": OP_HEARTBEAT_ACK})
        elif op == OP_IDENTIFY and isinstance(data, dict):
            return self._identify(connection, data)
        elif op == OP_RESUME and isinstance(data, dict):
            return self._resume(connection, data)
        elif op == OP_PRESENCE:
            log.debug("presence update: %s", data)
        else:
            log.debug("ignoring gateway op %s", op)
        return None

    def _identify(self, connection: _Connection, data: dict[str, Any]) -> GatewaySession:
        shard_id, shard_count = data.get("shard") or [0, 1]
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            shard_id=int(shard_id),
            shard_count=int(shard_count),
            intents=int(data.get("intents", 0)),
            connection=connection,
        )
        self.sessions[session.session_id] = session
        self.identify_payloads.append(data)
        world = self._world
        guilds = [
            g
            for g in world.guilds.values()
            if g.installed
            and not g.removed
            and shard_for(g.id, session.shard_count) == session.shard_id
        ]
        ready: dict[str, Any] = {
            "v": 10,
            "user": world.bot_user.payload() | {"verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self._url(),
            "application": {"id": str(world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ["rls-companion-emulator"],
        }
        if "shard" in data:
            ready["shard"] = [session.shard_id, session.shard_count]
        session.dispatch("READY", ready)
        for guild in guilds:
            session.dispatch("GUILD_CREATE", world.guild_create_payload(guild))
        self.ready_count += 1
        log.info("shard %s/%s identified", session.shard_id, session.shard_count)
        self._on_change()
        return session

    def _resume(self, connection: _Connection, data: dict[str, Any]) -> GatewaySession | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None:
            connection.send({"op": OP_INVALID_SESSION, "d": False})
            return None
        if session.connection is not None and session.connection is not connection:
            session.connection.queue.put_nowait(None)
        session.connection = connection
        last_seen = int(data.get("seq") or 0)
        for frame in session.log:
            if frame["s"] > last_seen:
                connection.send(frame)
        session.dispatch("RESUMED", {"_trace": ["rls-companion-emulator"]})
        self.resume_count += 1
        log.info("session %s resumed from seq %s", session.session_id, last_seen)
        self._on_change()
        return session
