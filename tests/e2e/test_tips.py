"""/rls end to end: commands, autocomplete, buttons and menus through the emulator."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import discord
import pytest
from discord.ext import commands

from bot.client import RlsBot
from bot.emulator import DiscordEmulator, EmuGuild, EmuUser
from bot.emulator.interactions import EmuCallback
from bot.emulator.state import EmuMessage
from bot.settings import Settings
from bot.tips import NOTICE, CatalogError, Tip, TipCatalog
from cogs.tips import (
    ANYONE,
    NOT_YOURS,
    STALE_TIP,
    STALE_TOPIC,
    AnotherTipButton,
    OpenTipSelect,
    RelatedTipSelect,
    TipsCog,
    another_custom_id,
    open_custom_id,
    related_custom_id,
)

EPHEMERAL = 64
RESPONSE_MESSAGE = 4
UPDATE_MESSAGE = 7


# --- Fixtures and helpers ---------------------------------------------------------------------------


@pytest.fixture
def guild(emu: DiscordEmulator) -> EmuGuild:
    return emu.add_guild("RLS Friends")


@pytest.fixture
def alice(emu: DiscordEmulator) -> EmuUser:
    return emu.add_user("alice")


@pytest.fixture
def cog(bot: RlsBot) -> TipsCog:
    # load_extension executes cogs/tips.py afresh, so its class is not the one imported here.
    found = cast(TipsCog, bot.get_cog("TipsCog"))
    assert type(found).__name__ == "TipsCog"
    found.rng = random.Random(20260302)  # a fixed sequence of tips for every test
    return found


@pytest.fixture
def catalog(cog: TipsCog) -> TipCatalog:
    return cog.catalog


@pytest.fixture(autouse=True)
async def _nobody_is_pinged(emu: DiscordEmulator) -> AsyncIterator[None]:
    """Whatever a test did, nothing the bot sent may ping a user, a role or everyone."""
    yield
    for message in emu.world.messages.values():
        assert message.allowed_mentions == {"parse": []}, message.body
        assert message.pinged_user_ids == [] and message.pinged_role_ids == []
        assert not message.pings_everyone
    assert emu.internal_errors == []


def shown_tip(catalog: TipCatalog, message: EmuMessage | EmuCallback) -> Tip:
    [embed] = message.embeds
    [tip] = [tip for tip in catalog.tips if tip.title == embed["title"]]
    return tip


def components(message: EmuMessage | EmuCallback) -> dict[str, dict[str, Any]]:
    """Every interactive component by custom_id."""
    found = {}
    for row in message.components:
        for component in row["components"]:
            found[component["custom_id"]] = component
    return found


async def tip_reply(
    emu: DiscordEmulator, user: EmuUser, guild: EmuGuild | None = None, **options: Any
) -> EmuCallback:
    reply = await (await emu.slash(user, "rls tip", options, guild=guild)).response()
    assert reply.type == RESPONSE_MESSAGE
    return reply


def button(custom_id: str) -> discord.ui.Button[Any]:
    return discord.ui.Button(label="Another tip", custom_id=custom_id)


def menu(custom_id: str, option: discord.SelectOption) -> discord.ui.Select[Any]:
    return discord.ui.Select(custom_id=custom_id, options=[option])


async def post_forged(bot: RlsBot, emu: DiscordEmulator, guild: EmuGuild, item: Any) -> EmuMessage:
    """A message carrying a component the current catalog doesn't know, as an older release (or
    a forged client) could leave behind. Plain items: the bot's own classes must handle it."""
    # Partial: the guild may have joined a moment ago, before discord.py cached its channels.
    channel = bot.get_partial_messageable(guild.channels[0].id, guild_id=guild.id)
    view = discord.ui.View(timeout=None)
    view.add_item(item)
    await channel.send("An old tip", view=view)
    return await emu.wait_for_message(guild.channels[0].id)


# --- /rls tip -----------------------------------------------------------------------------------------


async def test_tip_in_a_server_is_public_with_a_full_embed_and_buttons(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    reply = await tip_reply(emu, alice, guild)
    assert not reply.ephemeral
    tip = shown_tip(catalog, reply)
    [embed] = reply.embeds
    assert embed["description"] == tip.body
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Topic"] == catalog.topic(tip.topic).name
    # Every page a reader can check is listed, linked: one source, or the article plus its pages.
    label = "Source" if len(tip.sources) == 1 else "Sources"
    assert fields[label].splitlines() == [
        f"[{source.name}]({source.url})" if source.url else source.name for source in tip.sources
    ]
    assert embed["footer"]["text"] == NOTICE

    found = components(reply)
    another = found["rls:tip:more:*:0"]
    assert another["label"] == "Another tip" and another["type"] == 2
    related = found[f"rls:tip:rel:{tip.id}:0"]
    assert related["type"] == 3
    related_tips = [catalog.get(ref) for ref in tip.related]
    assert [option["value"] for option in related["options"]] == list(tip.related)
    assert [option["label"] for option in related["options"]] == [
        t.title for t in related_tips if t is not None
    ]


async def test_private_tip_from_a_topic_is_ephemeral_and_owned(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    reply = await tip_reply(emu, alice, guild, topic="massage", private=True)
    assert reply.ephemeral
    tip = shown_tip(catalog, reply)
    assert tip.topic == "massage"
    assert f"rls:tip:more:massage:{alice.id}" in components(reply)
    assert f"rls:tip:rel:{tip.id}:{alice.id}" in components(reply)


async def test_topic_may_be_given_by_its_display_name(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    reply = await tip_reply(emu, alice, guild, topic="Seeing a doctor")
    assert shown_tip(catalog, reply).topic == "doctor"
    assert "rls:tip:more:doctor:0" in components(reply)


async def test_unknown_topic_is_answered_privately_with_the_topic_list(
    emu: DiscordEmulator, bot: RlsBot, guild: EmuGuild, alice: EmuUser
) -> None:
    reply = await tip_reply(emu, alice, guild, topic="knitting")
    assert reply.ephemeral and not reply.embeds
    assert "knitting" in reply.content
    for name in ("Symptoms", "Massage", "Back pain", "Seeing a doctor"):
        assert name in reply.content


async def test_tips_in_a_topic_do_not_repeat_until_all_were_seen(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    in_topic = catalog.tips_in("doctor")
    # Private: a public tip has a per-user cooldown, and only the selection is tested here.
    seen = [
        shown_tip(catalog, await tip_reply(emu, alice, guild, topic="doctor", private=True))
        for _ in in_topic
    ]
    assert sorted(tip.id for tip in seen) == sorted(tip.id for tip in in_topic)
    # Everything seen: the one seen longest ago comes round again.
    again = shown_tip(catalog, await tip_reply(emu, alice, guild, topic="doctor", private=True))
    assert again == seen[0]


async def test_a_second_tip_avoids_the_first_ones(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    seen = [
        shown_tip(catalog, await tip_reply(emu, alice, guild, private=True)).id for _ in range(12)
    ]
    assert len(set(seen)) == len(seen)
    assert await bot.repos.tip_history.recent(alice.id, 3) == seen[::-1][:3]


async def test_stored_history_is_respected(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    # As if seen before a restart or on another shard: only the history table knows.
    *older, fresh = catalog.tips_in("back-pain")
    for tip in older:
        await bot.repos.tip_history.record(alice.id, tip.id, bot.clock.now())
    reply = await tip_reply(emu, alice, guild, topic="back-pain")
    assert shown_tip(catalog, reply) == fresh


async def test_tip_in_a_dm_is_owned_by_the_user_and_another_replaces_it(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, alice: EmuUser
) -> None:
    reply = await tip_reply(emu, alice)
    assert not reply.ephemeral
    first = shown_tip(catalog, reply)
    custom_id = f"rls:tip:more:*:{alice.id}"
    assert custom_id in components(reply)

    update = await (await emu.click(alice, reply, custom_id)).response()
    assert update.type == UPDATE_MESSAGE
    assert reply.message is not None and update.message is reply.message
    assert shown_tip(catalog, reply.message) != first


async def test_topic_autocomplete_offers_topics_with_counts(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    everything = await emu.autocomplete(
        alice, "rls tip", {"topic": ""}, focused="topic", guild=guild
    )
    assert [choice["value"] for choice in everything] == [topic.id for topic in catalog.topics]
    counts = catalog.counts()
    massage = {"name": f"Massage ({counts['massage']} tips)", "value": "massage"}
    assert massage in everything
    assert len(everything) <= 25

    typed = await emu.autocomplete(alice, "rls tip", {"topic": "pain"}, focused="topic")
    assert [choice["value"] for choice in typed] == ["back-pain"]
    typo = await emu.autocomplete(alice, "rls tip", {"topic": "masage"}, focused="topic")
    assert [choice["value"] for choice in typo] == ["massage"]


# --- Another tip and Related --------------------------------------------------------------------------


async def test_another_tip_on_a_private_tip_replaces_it_for_its_owner(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    reply = await tip_reply(emu, alice, guild, topic="exercise", private=True)
    first = shown_tip(catalog, reply)
    custom_id = f"rls:tip:more:exercise:{alice.id}"

    update = await (await emu.click(alice, reply, custom_id)).response()
    assert update.type == UPDATE_MESSAGE
    assert reply.message is not None and reply.message.ephemeral
    second = shown_tip(catalog, reply.message)
    assert second != first and second.topic == "exercise"
    assert custom_id in components(reply.message)


async def test_another_tip_on_a_private_tip_refuses_someone_else(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    bob = emu.add_user("bob")
    reply = await tip_reply(emu, alice, guild, private=True)
    answer = await (await emu.click(bob, reply, f"rls:tip:more:*:{alice.id}")).response()
    assert answer.type == RESPONSE_MESSAGE and answer.ephemeral
    assert answer.content == NOT_YOURS
    assert reply.message is not None and reply.message.history == []  # untouched
    assert await bot.repos.tip_history.recent(bob.id) == []

    related = next(cid for cid in components(reply) if cid.startswith("rls:tip:rel:"))
    value = components(reply)[related]["options"][0]["value"]
    answer = await (await emu.select(bob, reply, related, [value])).response()
    assert answer.content == NOT_YOURS and answer.ephemeral


async def test_another_tip_on_a_public_tip_gives_each_presser_their_own_private_tip(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    bob = emu.add_user("bob")
    reply = await tip_reply(emu, alice, guild, topic="sleep")
    public = reply.message
    assert public is not None

    for user in (bob, alice):
        answer = await (await emu.click(user, reply, "rls:tip:more:sleep:0")).response()
        assert answer.type == RESPONSE_MESSAGE and answer.ephemeral
        tip = shown_tip(catalog, answer)
        assert tip.topic == "sleep"
        assert f"rls:tip:more:sleep:{user.id}" in components(answer)
        assert (await bot.repos.tip_history.recent(user.id))[0] == tip.id
    assert public.history == [] and not public.ephemeral  # the channel's message never changed


async def test_related_opens_the_chosen_tip_privately(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    bob = emu.add_user("bob")
    reply = await tip_reply(emu, alice, guild)
    tip = shown_tip(catalog, reply)
    chosen = tip.related[-1]

    answer = await (await emu.select(bob, reply, f"rls:tip:rel:{tip.id}:0", [chosen])).response()
    assert answer.type == RESPONSE_MESSAGE and answer.ephemeral
    opened = shown_tip(catalog, answer)
    assert opened.id == chosen
    assert f"rls:tip:more:{opened.topic}:{bob.id}" in components(answer)
    assert (await bot.repos.tip_history.recent(bob.id))[0] == chosen


async def test_forged_or_outdated_components_get_a_friendly_answer(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    old = discord.SelectOption(label="An old tip", value="retired-tip")
    unrelated = discord.SelectOption(label="Not related", value="causes-iron")
    cases: list[tuple[discord.ui.Item[Any], str | None, str]] = [
        (button(another_custom_id("retired-topic", ANYONE)), None, STALE_TOPIC),
        (menu(related_custom_id("retired-tip", ANYONE), old), "retired-tip", STALE_TIP),
        # A real tip, but the value isn't one of its related tips.
        (menu(related_custom_id("massage-aims", ANYONE), unrelated), "causes-iron", STALE_TIP),
        (menu(open_custom_id(alice.id), old), "retired-tip", STALE_TIP),
        # An owner id no Discord user has (and beyond 64 bits).
        (button(another_custom_id(None, 99_999_999_999_999_999_999)), None, NOT_YOURS),
    ]
    for item, value, expected in cases:
        custom_id = item.custom_id  # type: ignore[attr-defined]
        message = await post_forged(bot, emu, guild, item)
        if value is None:
            pressed = await emu.click(alice, message, custom_id)
        else:
            pressed = await emu.select(alice, message, custom_id, [value])
        answer = await pressed.response()
        assert (answer.content, answer.ephemeral) == (expected, True), custom_id
    assert await bot.repos.tip_history.recent(alice.id) == []


async def test_a_broken_catalog_stops_the_extension_naming_file_and_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Path(__file__).parent.parent / "fixtures" / "broken_tips.toml"
    monkeypatch.setattr("bot.tips.DEFAULT_TIPS_PATH", broken)
    client = RlsBot(Settings(_env_file=None, database_path=tmp_path / "x.sqlite3"))  # type: ignore[call-arg]
    with pytest.raises(commands.ExtensionFailed) as failed:
        await client.load_extension("cogs.tips")
    assert isinstance(failed.value.original, CatalogError)
    assert "tests/fixtures/broken_tips.toml: tip #2 ('massage-too-long')" in str(failed.value)
    assert client.tree.get_command("rls") is None


def test_custom_ids_fit_discord_at_their_longest() -> None:
    slug, owner = "a" * 64, 2**64 - 1  # the longest slug the catalog accepts, a 20-digit id
    for custom_id in (
        another_custom_id(slug, owner),
        related_custom_id(slug, owner),
        open_custom_id(owner),
    ):
        assert len(custom_id) <= 100, custom_id
    assert AnotherTipButton(slug, owner).custom_id == another_custom_id(slug, owner)
    assert RelatedTipSelect(slug, owner, []).custom_id == related_custom_id(slug, owner)
    assert OpenTipSelect(owner, []).custom_id == open_custom_id(owner)


# --- /rls search --------------------------------------------------------------------------------------


async def test_search_lists_the_best_matches_and_opens_one(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    ix = await emu.slash(alice, "rls search", {"query": "massage"}, guild=guild)
    reply = await ix.response()
    assert reply.ephemeral
    [embed] = reply.embeds
    assert embed["title"] == "Tips matching “massage”"
    menu = components(reply)[f"rls:tip:open:{alice.id}"]
    values = [option["value"] for option in menu["options"]]
    assert 1 <= len(values) <= 5
    assert all(catalog.get(value).topic == "massage" for value in values)  # type: ignore[union-attr]
    for value in values:
        assert catalog.get(value).title in embed["description"]  # type: ignore[union-attr]

    answer = await (
        await emu.select(alice, reply, f"rls:tip:open:{alice.id}", [values[1]])
    ).response()
    assert answer.type == RESPONSE_MESSAGE and answer.ephemeral
    assert shown_tip(catalog, answer).id == values[1]
    assert reply.message is not None and reply.message.history == []  # the list stays


async def test_search_finds_a_tip_by_words_in_its_body(
    emu: DiscordEmulator, bot: RlsBot, guild: EmuGuild, alice: EmuUser
) -> None:
    reply = await (await emu.slash(alice, "rls search", {"query": "burning legs"})).response()
    menu = components(reply)[f"rls:tip:open:{alice.id}"]
    assert menu["options"][0]["value"] == "symptoms-burning-crawling"


async def test_search_autocomplete_suggests_tip_titles(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    choices = await emu.autocomplete(
        alice, "rls search", {"query": "tai"}, focused="query", guild=guild
    )
    titles = {tip.title for tip in catalog.tips}
    assert choices and len(choices) <= 25
    assert all(c["name"] == c["value"] and c["name"] in titles for c in choices)
    assert any("chi" in c["name"].lower() for c in choices)

    everything = await emu.autocomplete(alice, "rls search", {"query": ""}, focused="query")
    assert len(everything) == 25


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "Type a word or two"),
        ("    ", "Type a word or two"),
        ("x" * 101, "(101 characters)"),
        ("?!…", "Search with some letters"),
    ],
)
async def test_search_rejects_unusable_queries_privately(
    emu: DiscordEmulator, bot: RlsBot, guild: EmuGuild, alice: EmuUser, query: str, expected: str
) -> None:
    reply = await (await emu.slash(alice, "rls search", {"query": query}, guild=guild)).response()
    assert reply.ephemeral and not reply.embeds and not reply.components
    assert expected in reply.content


async def test_search_with_nothing_found_suggests_topics(
    emu: DiscordEmulator, bot: RlsBot, guild: EmuGuild, alice: EmuUser
) -> None:
    reply = await (
        await emu.slash(alice, "rls search", {"query": "habits"}, guild=guild)
    ).response()
    assert reply.ephemeral and not reply.components
    assert reply.content.startswith("I found no tips for “habits”.")
    assert "**Sleep** (`/rls tip topic:sleep`)" in reply.content

    reply = await (
        await emu.slash(alice, "rls search", {"query": "knitting"}, guild=guild)
    ).response()
    assert "`/rls topics`" in reply.content


@pytest.mark.parametrize("query", ["@everyone <@&123> **xyzzy**", "@here <@&123> sleep"])
async def test_mentions_and_markdown_in_a_query_do_nothing(
    emu: DiscordEmulator, bot: RlsBot, guild: EmuGuild, alice: EmuUser, query: str
) -> None:
    reply = await (await emu.slash(alice, "rls search", {"query": query}, guild=guild)).response()
    message = reply.message
    assert message is not None and message.ephemeral
    assert message.allowed_mentions == {"parse": []}
    assert not message.pings_everyone and message.pinged_role_ids == []
    echoed = reply.content or reply.embeds[0]["title"]
    assert "@everyone" not in echoed and "@here" not in echoed  # shown as @\u200beveryone
    assert "**xyzzy**" not in echoed


# --- /rls topics and /rls about -----------------------------------------------------------------------


async def test_topics_lists_each_topic_with_description_and_count(
    emu: DiscordEmulator, bot: RlsBot, catalog: TipCatalog, guild: EmuGuild, alice: EmuUser
) -> None:
    reply = await (await emu.slash(alice, "rls topics", guild=guild)).response()
    assert reply.ephemeral
    [embed] = reply.embeds
    counts = catalog.counts()
    for topic in catalog.topics:
        assert f"**{topic.name}** · {counts[topic.id]} tips · `{topic.id}`" in embed["description"]
        assert topic.description in embed["description"]


async def test_about_names_the_sources_the_notice_and_privacy(
    emu: DiscordEmulator, bot: RlsBot, guild: EmuGuild, alice: EmuUser
) -> None:
    reply = await (await emu.slash(alice, "rls about", guild=guild)).response()
    assert reply.ephemeral
    [embed] = reply.embeds
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    sources = fields["Where the tips come from"]
    assert "a 2013 blog article on RLS and back pain" in sources
    assert "Talk About Sleep" not in sources
    for publisher in ("NHS", "Mayo Clinic", "NINDS", "AASM 2024 guideline", "RLS Foundation"):
        assert publisher in sources
    assert fields["Please note"] == NOTICE
    assert "Privacy" in fields["Privacy"] and "README" in fields["Privacy"]
    assert "README" in fields["More"]


async def test_help_has_an_rls_tips_section(
    emu: DiscordEmulator, bot: RlsBot, alice: EmuUser
) -> None:
    reply = await (await emu.slash(alice, "help")).response()
    fields = {field["name"]: field["value"] for field in reply.embeds[0]["fields"]}
    for command in ("about", "search", "tip", "topics"):
        assert f"`/rls {command}`" in fields["RLS tips"]
