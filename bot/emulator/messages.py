"""Turning message bodies (JSON or multipart) into :class:`EmuMessage` objects and edits."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bot.emulator.records import UploadedFile
from bot.emulator.state import FLAG_EPHEMERAL, FLAG_LOADING, EmuAttachment, EmuMessage, World

log = logging.getLogger(__name__)

# Flags a bot may set or clear when editing; ephemeral is fixed at creation.
_EDITABLE_FLAGS = (1 << 2) | (1 << 12) | (1 << 15)


def is_empty(body: dict[str, Any], files: list[UploadedFile]) -> bool:
    return not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or files
    )


def _attachments(
    world: World,
    body: dict[str, Any],
    files: list[UploadedFile],
    existing: list[EmuAttachment],
) -> list[EmuAttachment]:
    uploads = {f.index: f for f in files if f.index is not None}
    kept = {a.id: a for a in existing}
    listed = body.get("attachments")
    if listed is None:
        # No attachment list: every uploaded file is attached, in order (and edits keep old ones).
        result = list(existing)
        result += [_from_upload(world, f, None) for f in files]
        return result
    result = []
    for entry in listed:
        if not isinstance(entry, dict):
            continue
        raw_id = entry.get("id")
        ref = int(raw_id) if isinstance(raw_id, int | str) and str(raw_id).isdigit() else None
        if ref is not None and ref in uploads:
            result.append(_from_upload(world, uploads[ref], entry))
        elif ref is not None and ref in kept:
            result.append(kept[ref])
        else:
            log.warning("attachment %r matches no uploaded file", entry)
    return result


def _from_upload(world: World, upload: UploadedFile, entry: dict[str, Any] | None) -> EmuAttachment:
    entry = entry or {}
    return EmuAttachment(
        id=world.ids.next(),
        filename=str(entry.get("filename") or upload.filename),
        data=upload.data,
        content_type=upload.content_type,
        description=entry.get("description"),
    )


def create_message(
    world: World,
    channel_id: int,
    body: dict[str, Any],
    files: list[UploadedFile],
    *,
    kind: str = "channel",
    interaction_id: int | None = None,
    loading: bool = False,
) -> EmuMessage:
    channel = world.channels.get(channel_id)
    flags = int(body.get("flags") or 0)
    if loading:
        flags = FLAG_LOADING | (flags & FLAG_EPHEMERAL)
    message = EmuMessage(
        id=world.ids.next(),
        channel_id=channel_id,
        author_id=world.bot_user.id,
        content="" if loading else str(body.get("content") or ""),
        embeds=[] if loading else list(body.get("embeds") or []),
        components=[] if loading else list(body.get("components") or []),
        flags=flags,
        attachments=[] if loading else _attachments(world, body, files, []),
        tts=bool(body.get("tts")),
        nonce=body.get("nonce"),
        allowed_mentions=body.get("allowed_mentions"),
        message_reference=body.get("message_reference"),
        guild_id=channel.guild_id if channel else None,
        interaction_id=interaction_id,
        webhook_id=world.application_id if kind != "channel" else None,
        kind=kind,
        body=body,
    )
    world.messages[message.id] = message
    return message


def edit_message(
    world: World, message: EmuMessage, body: dict[str, Any], files: list[UploadedFile]
) -> None:
    """Apply a PATCH: fields present in the body replace the old ones."""
    message.history.append(message.body)
    message.body = body
    if "content" in body:
        message.content = str(body.get("content") or "")
    if "embeds" in body:
        message.embeds = list(body.get("embeds") or [])
    if "components" in body:
        message.components = list(body.get("components") or [])
    if "allowed_mentions" in body:
        message.allowed_mentions = body.get("allowed_mentions")
    if "flags" in body and body["flags"] is not None:
        keep = message.flags & ~_EDITABLE_FLAGS
        message.flags = keep | (int(body["flags"]) & _EDITABLE_FLAGS)
    if "attachments" in body or files:
        message.attachments = _attachments(world, body, files, message.attachments)
    # Editing a deferred ("thinking") response turns it into a normal message.
    message.flags &= ~FLAG_LOADING
    message.edited_at = datetime.now(UTC)
