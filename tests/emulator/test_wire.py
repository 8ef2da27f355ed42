"""The emulator at the HTTP/websocket level: validation, headers, unknown routes, sharding."""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.emulator import DiscordEmulator, EmuUser, shared_validator
from bot.emulator.interactions import modal_submit_components

AUTH = {"Authorization": "Bot t"}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers=AUTH) as session:
        yield session


async def test_json_content_type_is_exact(emu: DiscordEmulator, http: aiohttp.ClientSession):
    async with http.get(emu.api_base + "/users/@me") as response:
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["X-RateLimit-Remaining"]
        assert (await response.json())["id"] == str(emu.bot_user_id)
    async with http.get(emu.api_base + "/gateway/bot") as response:
        data = await response.json()
        assert data["url"] == emu.gateway_url and data["shards"] == 1
        assert data["session_start_limit"]["max_concurrency"] == 1


async def test_invalid_bodies_become_violations(emu: DiscordEmulator, http: aiohttp.ClientSession):
    channel = emu.add_guild("G").channels[0]
    url = f"{emu.api_base}/channels/{channel.id}/messages"
    async with http.post(url, json={"content": "x" * 2001}) as response:
        assert response.status == 400
        assert (await response.json())["code"] == 50035
    button = {"type": 2, "style": 1, "label": "Go", "custom_id": "c" * 101}
    async with http.post(
        url, json={"content": "hi", "components": [{"type": 1, "components": [button]}]}
    ) as response:
        assert response.status == 400
    messages = [v.message for v in emu.violations]
    assert any("content" in m and "2001" in m for m in messages)
    assert any("custom_id" in m for m in messages)
    assert emu.messages_in(channel.id) == []


async def test_429_has_what_discord_py_needs(emu: DiscordEmulator, http: aiohttp.ClientSession):
    emu.fail_next("GET", "/users/@me", status=429, retry_after=0.3, global_=True)
    async with http.get(emu.api_base + "/users/@me") as response:
        assert response.status == 429 and response.headers["Via"]
        assert response.headers["Content-Type"] == "application/json"
        body = await response.json()
        assert body["retry_after"] == 0.3 and body["global"] is True and body["message"]
    async with http.get(emu.api_base + "/users/@me") as response:
        assert response.status == 200


async def test_unknown_routes_are_404_and_recorded(
    emu: DiscordEmulator, http: aiohttp.ClientSession
):
    async with http.get(emu.api_base + "/guilds/1/audit-logs") as response:
        assert response.status == 404
        assert response.headers["Content-Type"] == "application/json"
    async with http.patch(emu.api_base + "/users/@me/settings", json={}) as response:
        assert response.status == 404
    assert [r.path for r in emu.unknown_requests] == ["/guilds/1/audit-logs", "/users/@me/settings"]


async def test_latency_slows_responses(emu: DiscordEmulator, http: aiohttp.ClientSession):
    emu.set_latency(0.1)
    started = time.monotonic()
    async with http.get(emu.api_base + "/gateway") as response:
        assert response.status == 200
    assert time.monotonic() - started >= 0.1


async def _identify(
    session: aiohttp.ClientSession, emu: DiscordEmulator, shard: list[int], compress: bool
) -> tuple[aiohttp.ClientWebSocketResponse, list[dict[str, Any]]]:
    query = "?v=10&encoding=json" + ("&compress=zlib-stream" if compress else "")
    ws = await session.ws_connect(emu.gateway_url + query)
    inflator = zlib.decompressobj()

    async def receive() -> dict[str, Any]:
        message = await ws.receive(timeout=5)
        if message.type is aiohttp.WSMsgType.BINARY:
            assert message.data.endswith(b"\x00\x00\xff\xff")
            return json.loads(inflator.decompress(message.data))
        return json.loads(message.data)

    hello = await receive()
    assert hello["op"] == 10
    await ws.send_json(
        {"op": 2, "d": {"token": "t", "intents": 1, "shard": shard, "properties": {}}}
    )
    frames = [await receive()]
    ready = frames[0]["d"]
    for _ in ready["guilds"]:
        frames.append(await receive())
    await ws.send_json({"op": 1, "d": frames[-1]["s"]})
    frames.append(await receive())
    ws._emu_receive = receive  # type: ignore[attr-defined]
    return ws, frames


async def test_shards_get_their_own_guilds(emu: DiscordEmulator):
    guilds = [emu.add_guild(f"G{i}") for i in range(6)]
    by_shard: dict[int, set[str]] = {0: set(), 1: set()}
    for guild in guilds:
        by_shard[(guild.id >> 22) % 2].add(str(guild.id))
    assert by_shard[0] and by_shard[1]
    user: EmuUser = emu.add_user("bob")
    async with aiohttp.ClientSession() as session:
        ws0, frames0 = await _identify(session, emu, [0, 2], compress=True)
        ws1, frames1 = await _identify(session, emu, [1, 2], compress=False)
        for shard, frames in ((0, frames0), (1, frames1)):
            ready = frames[0]
            assert ready["t"] == "READY" and ready["d"]["shard"] == [shard, 2]
            assert ready["d"]["resume_gateway_url"] == emu.gateway_url
            assert {g["id"] for g in ready["d"]["guilds"]} == by_shard[shard]
            created = {f["d"]["id"] for f in frames if f.get("t") == "GUILD_CREATE"}
            assert created == by_shard[shard]
            assert [f["s"] for f in frames if f.get("s")] == list(range(1, len(created) + 2))
            assert frames[-1]["op"] == 11
        await emu.wait_until_ready(shards=2)
        # DM interactions go to shard 0 only.
        await emu.slash(user, "ping")
        interaction = await ws0._emu_receive()  # type: ignore[attr-defined]
        assert interaction["t"] == "INTERACTION_CREATE" and interaction["d"]["user"]["id"] == str(
            user.id
        )
        guild_one = next(g for g in guilds if str(g.id) in by_shard[1])
        await emu.slash(user, "ping", guild=guild_one)
        on_one = await ws1._emu_receive()  # type: ignore[attr-defined]
        assert on_one["d"]["guild_id"] == str(guild_one.id)
        await ws0.close()
        await ws1.close()
    assert [p["shard"] for p in emu.identify_payloads] == [[0, 2], [1, 2]]


def test_a_typical_callback_body_validates():
    validator = shared_validator()
    body = {
        "type": 4,
        "data": {
            "content": "Time to stretch",
            "embeds": [
                {
                    "title": "Stretch",
                    "description": "Calves",
                    "fields": [{"name": "a", "value": "b"}],
                }
            ],
            "components": [
                {
                    "type": 1,
                    "components": [{"type": 2, "style": 1, "label": "Done", "custom_id": "done"}],
                }
            ],
            "flags": 64,
            "allowed_mentions": {"parse": []},
        },
    }
    template = "/interactions/{interaction_id}/{interaction_token}/callback"
    assert validator.validate("POST", template, body) == []


def test_explicit_limits_the_spec_misses():
    validator = shared_validator()
    commands = [{"name": "Ping", "description": "", "type": 1}]
    problems = validator.validate("PUT", "/applications/{application_id}/commands", commands)
    assert any("lowercase" in p for p in problems) and any("description" in p for p in problems)
    modal = {
        "type": 9,
        "data": {
            "custom_id": "m",
            "title": "t" * 46,
            "components": [
                {
                    "type": 1,
                    "components": [{"type": 4, "custom_id": f"f{i}", "style": 1, "label": "L"}],
                }
                for i in range(6)
            ],
        },
    }
    problems = validator.validate(
        "POST", "/interactions/{interaction_id}/{interaction_token}/callback", modal
    )
    assert any("modal title" in p for p in problems)
    assert any("top-level modal components" in p for p in problems)
    choices = {
        "type": 8,
        "data": {"choices": [{"name": str(i), "value": str(i)} for i in range(26)]},
    }
    problems = validator.validate(
        "POST", "/interactions/{interaction_id}/{interaction_token}/callback", choices
    )
    assert any("26 autocomplete choices" in p for p in problems)
    snowflakes = {"recipient_id": 123}
    assert validator.validate("POST", "/users/@me/channels", snowflakes) == []
    assert validator.validate("POST", "/users/@me/channels", {"recipient_id": "123"}) == []
    assert validator.validate(
        "POST", "/channels/{channel_id}/messages", {"content": "x", "nonce": "n" * 26}
    )


def test_modal_submit_mirrors_both_layouts():
    rows = {
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "A", "style": 1}]}
        ]
    }
    assert modal_submit_components(rows, {"a": "hi"}) == [
        {"type": 1, "components": [{"type": 4, "custom_id": "a", "value": "hi"}]}
    ]
    labels = {
        "components": [
            {
                "type": 18,
                "id": 1,
                "label": "A",
                "component": {"type": 4, "id": 2, "custom_id": "a", "style": 1},
            },
            {
                "type": 18,
                "id": 3,
                "label": "B",
                "component": {"type": 3, "id": 4, "custom_id": "b", "options": []},
            },
        ]
    }
    assert modal_submit_components(labels, {"a": "hi", "b": ["x"]}) == [
        {"type": 18, "id": 1, "component": {"type": 4, "custom_id": "a", "id": 2, "value": "hi"}},
        {"type": 18, "id": 3, "component": {"type": 3, "custom_id": "b", "id": 4, "values": ["x"]}},
    ]
    with pytest.raises(LookupError):
        modal_submit_components(rows, {"nope": "x"})
