"""/rls: short, sourced tips about Restless Legs Syndrome from ``data/tips.toml``.

Who may use a tip's components, and what a press does (decided here once, for every component):

- A *private* tip (``private:true``, which is ephemeral, or any tip in a DM) records its owner's id in
  each custom_id. Only the owner may use it; "Another tip" replaces the tip in place.
- A *public* tip in a server records owner ``0``: anyone may use it, and every press answers with a new
  ephemeral tip for the person pressing, so the message the channel sees never changes under them and
  nobody's history is written by someone else's press.
- "Related" and the search results' menu always open the chosen tip in a new ephemeral message, so
  the tip or the list it came from stays in view.

All state lives in the custom_id (``discord.ui.DynamicItem``), so components work after a restart:

- ``rls:tip:more:<topic id or *>:<owner id or 0>``  the "Another tip" button
- ``rls:tip:rel:<tip id>:<owner id or 0>``          the "Related" menu; its values are tip ids
- ``rls:tip:open:<owner id>``                        the search results menu; its values are tip ids

Slugs are at most 64 characters and ids at most 20 digits, so each stays within Discord's 100.
"""

from __future__ import annotations

import importlib.metadata
import random
import re
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot.client import RlsBot
from bot.cooldowns import cooldown, public_tip_limits
from bot.db.guild_settings import TIP_KIND
from bot.db.tip_history import KEEP
from bot.errors import UserError
from bot.i18n import ENGLISH, N_, Speaker
from bot.i18n.content import localized_catalog, tip_notice
from bot.i18n.speech import ENGLISH_SPEAKER
from bot.interactions import (
    NO_MENTIONS,
    NOT_ADDED_HERE,
    OwnerOnlyItem,
    send_reply,
    server_without_bot,
    translator_for,
)
from bot.tips import (
    MAX_CHOICE_NAME,
    MAX_CHOICES,
    MAX_QUERY,
    SearchHit,
    Tip,
    TipCatalog,
    did_you_mean,
    load_catalog,
    normalise,
    pick_tip,
    search,
    sources_field,
    suggest_titles,
)
from cogs._cog import BotCog
from cogs._daily_tip import DailyTipRenderer

COLOUR = discord.Colour.dark_teal()
ANYONE = 0
ANY_TOPIC = "*"
SEARCH_RESULTS = 5
SNIPPET = 90
# Discord caps: select options, option labels/descriptions, embed description.
MAX_OPTIONS = 25
MAX_LABEL = 100
MAX_EMBED_DESCRIPTION = 4096
MAX_FIELD = 1024
# The article the catalog grew from (it carries no link); every other source is named in its tips.
ORIGIN_SOURCE = "A 2013 blog article on RLS and back pain"
ORIGIN_SOURCE_DE = "Ein Blogartikel von 2013 über RLS und Rückenschmerzen"
# [project.urls] labels in pyproject.toml that name where the README can be read.
README_LABELS = ("readme", "documentation", "homepage", "repository", "source")

_SLUG = r"[a-z0-9-]{1,64}"
_OWNER = r"\d{1,20}"

NOT_YOURS = N_("These buttons belong to someone else. Use `/rls tip` to get your own tip.")
STALE_TOPIC = N_(
    "This button is out of date: its topic is no longer in the tip list. "
    "`/rls topics` shows the current ones."
)
STALE_TIP = N_(
    "That tip is no longer in the tip list. Try `/rls search` or `/rls tip` for a fresh one."
)


def another_custom_id(topic_id: str | None, owner_id: int) -> str:
    return f"rls:tip:more:{topic_id or ANY_TOPIC}:{owner_id}"


def related_custom_id(tip_id: str, owner_id: int) -> str:
    return f"rls:tip:rel:{tip_id}:{owner_id}"


def open_custom_id(owner_id: int) -> str:
    return f"rls:tip:open:{owner_id}"


# --- Text and embeds --------------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shown_query(query: str) -> str:
    """A user's query safe to echo: short, and neither markdown nor mentions take effect."""
    text = clip(" ".join(query.split()), 40)
    return discord.utils.escape_markdown(discord.utils.escape_mentions(text))


def in_language(catalog: TipCatalog, locale: str) -> TipCatalog:
    """``catalog`` with its tips and topics in ``locale`` where translated (English otherwise)."""
    if locale == ENGLISH:
        return catalog
    cached = _LOCALIZED.get((id(catalog), locale))
    if cached is None or cached[0] is not catalog:
        cached = _LOCALIZED[(id(catalog), locale)] = (
            catalog,
            localized_catalog(locale, catalog),
        )
    return cached[1]


_LOCALIZED: dict[tuple[int, str], tuple[TipCatalog, TipCatalog]] = {}


def tip_embed(catalog: TipCatalog, tip: Tip, tr: Speaker = ENGLISH_SPEAKER) -> discord.Embed:
    embed = discord.Embed(title=tip.title, description=tip.body, colour=COLOUR)
    embed.add_field(name=tr("Topic"), value=catalog.topic(tip.topic).name, inline=True)
    name, value = sources_field(tip, tr)
    embed.add_field(name=name, value=clip(value, MAX_FIELD), inline=True)
    embed.set_footer(text=tip_notice(tr.locale))
    return embed


def tip_options(tips: Sequence[Tip], catalog: TipCatalog) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(
            label=clip(tip.title, MAX_LABEL),
            value=tip.id,
            description=clip(catalog.topic(tip.topic).name, MAX_LABEL),
        )
        for tip in tips[:MAX_OPTIONS]
    ]


# The "Related tips" options of each tip, built on its first showing: the catalog never changes
# while it is loaded, and only the owner in the custom ids differs between replies. Keyed by the
# catalog's id() with the catalog kept alongside (so the id cannot be reused while cached): hashing
# the frozen catalog would cost more than building the options.
_RELATED: dict[int, tuple[TipCatalog, dict[str, list[discord.SelectOption]]]] = {}


def related_options(catalog: TipCatalog, tip: Tip) -> list[discord.SelectOption]:
    by_tip = _RELATED.setdefault(id(catalog), (catalog, {}))[1]
    options = by_tip.get(tip.id)
    if options is None:
        related = [found for ref in tip.related if (found := catalog.get(ref)) is not None]
        options = by_tip[tip.id] = tip_options(related, catalog)
    # A list of its own for each menu; the options themselves are never changed after this.
    return list(options)


def tip_view(
    catalog: TipCatalog,
    tip: Tip,
    topic_id: str | None,
    owner_id: int,
    tr: Speaker = ENGLISH_SPEAKER,
) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AnotherTipButton(topic_id, owner_id, tr))
    options = related_options(catalog, tip)
    if options:
        view.add_item(RelatedTipSelect(tip.id, owner_id, options, tr))
    return view


def topics_embed(catalog: TipCatalog, tr: Speaker = ENGLISH_SPEAKER) -> discord.Embed:
    counts = catalog.counts()
    lines = [
        f"**{topic.name}** · {tr.plural(counts[topic.id], '{count} tip', '{count} tips')} · "
        f"`{topic.id}`\n{topic.description}"
        for topic in catalog.topics
    ]
    embed = discord.Embed(
        title=tr("RLS tip topics"),
        description=clip("\n\n".join(lines), MAX_EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    embed.set_footer(text=tr("Pick one with /rls tip topic:<name>"))
    return embed


def results_embed(
    catalog: TipCatalog, query: str, hits: Sequence[SearchHit], tr: Speaker = ENGLISH_SPEAKER
) -> discord.Embed:
    lines = [
        f"**{number}. {hit.tip.title}** · {catalog.topic(hit.tip.topic).name}\n"
        f"{clip(hit.tip.body, SNIPPET)}"
        for number, hit in enumerate(hits, start=1)
    ]
    embed = discord.Embed(
        title=tr("Tips matching “{query}”", query=shown_query(query)),
        description=clip("\n\n".join(lines), MAX_EMBED_DESCRIPTION),
        colour=COLOUR,
    )
    embed.set_footer(text=tr("Open one with the menu below."))
    return embed


def nothing_found_text(catalog: TipCatalog, query: str, tr: Speaker = ENGLISH_SPEAKER) -> str:
    guesses = did_you_mean(catalog, query)
    if guesses:
        names = ", ".join(f"**{topic.name}** (`/rls tip topic:{topic.id}`)" for topic in guesses)
        return tr(
            "I found no tips for “{query}”. Maybe one of these topics fits: {names}.",
            query=shown_query(query),
            names=names,
        )
    return tr(
        "I found no tips for “{query}”. Try one or two other words, or browse `/rls topics`.",
        query=shown_query(query),
    )


def publishers(catalog: TipCatalog) -> list[str]:
    """Who the tips' sources are, once each, in catalog order ("NHS", "Mayo Clinic", ...)."""
    # "NHS: Back pain" -> "NHS"; "nidirect (NHS Northern Ireland): ..." -> "nidirect"; the page and
    # the authors stay under each tip.
    names = [
        re.sub(r"\s*\(.*?\)", "", source.name.split(":")[0]).strip()
        for tip in catalog.tips
        for source in tip.sources
    ]
    return [name for name in dict.fromkeys(names) if name not in (ORIGIN_SOURCE, ORIGIN_SOURCE_DE)]


def readme_url() -> str | None:
    """Where the README can be read online: the first ``[project.urls]`` entry of pyproject.toml
    with a fitting label, from the installed package's metadata; None when none is declared."""
    try:
        entries = importlib.metadata.metadata("rls-companion").get_all("Project-URL") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for label in README_LABELS:
        for entry in entries:
            name, _, url = entry.partition(",")
            if name.strip().lower() == label and url.strip().startswith("https://"):
                return url.strip()
    return None


def readme_text(url: str | None, tr: Speaker = ENGLISH_SPEAKER) -> str:
    where = (
        tr("[the project's README]({url})", url=url)
        if url
        else tr("the project's README (README.md)")
    )
    return tr(
        "How the bot works, every command, what it stores and how to run your own: {where}. "
        "It also lists the tips' sources.",
        where=where,
    )


def about_embed(
    catalog: TipCatalog, readme: str | None = None, tr: Speaker = ENGLISH_SPEAKER
) -> discord.Embed:
    embed = discord.Embed(
        title=tr("About RLS Companion"),
        description=tr(
            "A companion for communities of people living with Restless Legs Syndrome (RLS): short "
            "tips in plain words, gentle stretch reminders and a private sleep diary. It is run by "
            "volunteers and is not a medical service."
        ),
        colour=COLOUR,
    )
    embed.add_field(
        name=tr("Where the tips come from"),
        value=clip(
            tr(
                "{tips} in {topics}, written in our own words. They started from a 2013 blog "
                "article on RLS and back pain; every health fact also names, under its tip, the "
                "health service or guideline page that says it: {publishers}.",
                tips=tr.plural(len(catalog.tips), "{count} tip", "{count} tips"),
                topics=tr.plural(len(catalog.topics), "{count} topic", "{count} topics"),
                publishers=", ".join(publishers(catalog)),
            ),
            MAX_FIELD,
        ),
        inline=False,
    )
    embed.add_field(name=tr("Please note"), value=tip_notice(tr.locale), inline=False)
    embed.add_field(
        name=tr("Privacy"),
        value=tr(
            "The bot cannot read your messages. For tips it keeps only the ids of the last "
            "{keep} tips you were shown, so you don't get the same ones again. What else it "
            "stores, and how to remove it, is in the **Privacy** section of the project's README.",
            keep=KEEP,
        ),
        inline=False,
    )
    embed.add_field(name=tr("More"), value=readme_text(readme, tr), inline=False)
    embed.set_footer(text=tr("Commands: /help"))
    return embed


def topic_choices(
    catalog: TipCatalog, typed: str, tr: Speaker = ENGLISH_SPEAKER
) -> list[tuple[str, str]]:
    """(topic id, "Name (n tips)") pairs for the topic autocomplete, best matches first."""
    wanted = normalise(typed[:MAX_QUERY])
    topics = [topic for topic in catalog.topics if wanted in normalise(f"{topic.name} {topic.id}")]
    if not topics:
        topics = did_you_mean(catalog, typed)  # typos: "masage", "slep"
    counts = catalog.counts()
    return [
        (
            topic.id,
            clip(
                f"{topic.name} ({tr.plural(counts[topic.id], '{count} tip', '{count} tips')})",
                MAX_CHOICE_NAME,
            ),
        )
        for topic in topics[:MAX_CHOICES]
    ]


# --- Components -------------------------------------------------------------------------------------


def _tips_cog(interaction: discord.Interaction[Any]) -> TipsCog:
    cog = interaction.client.get_cog(TipsCog.__cog_name__)
    if not isinstance(cog, TipsCog):
        raise RuntimeError("the tips cog is not loaded")
    return cog


class AnotherTipButton(
    OwnerOnlyItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"rls:tip:more:(?P<topic>\*|{_SLUG}):(?P<owner>{_OWNER})",
):
    """ "Another tip": a fresh tip from the same topic (or any topic)."""

    not_yours = NOT_YOURS

    def __init__(self, topic_id: str | None, owner_id: int, tr: Speaker = ENGLISH_SPEAKER) -> None:
        super().__init__(
            discord.ui.Button(
                label=tr("Another tip"),
                style=discord.ButtonStyle.primary,
                custom_id=another_custom_id(topic_id, owner_id),
                row=0,
            )
        )
        self.topic_id = topic_id
        self.owner_id = owner_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> AnotherTipButton:
        topic = match["topic"]
        return cls(None if topic == ANY_TOPIC else topic, int(match["owner"]))

    async def on_press(self, interaction: discord.Interaction[Any]) -> None:
        await _tips_cog(interaction).another(interaction, self.topic_id, self.owner_id)


class _TipSelect(discord.ui.Select[Any]):
    """A one-choice menu of tips; its values are tip ids."""

    def __init__(
        self, custom_id: str, placeholder: str, options: list[discord.SelectOption]
    ) -> None:
        super().__init__(custom_id=custom_id, placeholder=placeholder, options=options, row=1)


def _options_of(item: discord.ui.Item[Any]) -> list[discord.SelectOption]:
    # On a press only the chosen value matters; the message's own options are kept as they were.
    return list(item.options) if isinstance(item, discord.ui.Select) else []


def _chosen(select: discord.ui.Select[Any]) -> str:
    if not select.values:
        raise UserError(N_("Pick a tip from the menu."))
    return select.values[0]


class RelatedTipSelect(
    OwnerOnlyItem,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=rf"rls:tip:rel:(?P<tip>{_SLUG}):(?P<owner>{_OWNER})",
):
    """ "Related": the tips listed as related to the one shown."""

    not_yours = NOT_YOURS

    def __init__(
        self,
        tip_id: str,
        owner_id: int,
        options: list[discord.SelectOption],
        tr: Speaker = ENGLISH_SPEAKER,
    ) -> None:
        super().__init__(
            _TipSelect(related_custom_id(tip_id, owner_id), tr("Related tips…"), options)
        )
        self.tip_id = tip_id
        self.owner_id = owner_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> RelatedTipSelect:
        return cls(match["tip"], int(match["owner"]), _options_of(item))

    async def on_press(self, interaction: discord.Interaction[Any]) -> None:
        cog = _tips_cog(interaction)
        shown = cog.catalog.get(self.tip_id)
        chosen = _chosen(self.item)
        # Only the shown tip's own related tips: anything else is a forged or outdated menu.
        if shown is None or chosen not in shown.related:
            raise UserError(STALE_TIP)
        await cog.open_privately(interaction, chosen)


class OpenTipSelect(
    OwnerOnlyItem,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=rf"rls:tip:open:(?P<owner>{_OWNER})",
):
    """The menu under search results: open one of them."""

    not_yours = NOT_YOURS

    def __init__(
        self,
        owner_id: int,
        options: list[discord.SelectOption],
        tr: Speaker = ENGLISH_SPEAKER,
    ) -> None:
        super().__init__(_TipSelect(open_custom_id(owner_id), tr("Open a tip…"), options))
        self.owner_id = owner_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> OpenTipSelect:
        return cls(int(match["owner"]), _options_of(item))

    async def on_press(self, interaction: discord.Interaction[Any]) -> None:
        await _tips_cog(interaction).open_privately(interaction, _chosen(self.item))


DYNAMIC_ITEMS = (AnotherTipButton, RelatedTipSelect, OpenTipSelect)


# --- The cog ----------------------------------------------------------------------------------------


class TipsCog(BotCog):
    """Works in servers and in DMs with the bot."""

    help_title = N_("RLS tips")

    group = app_commands.Group(name="rls", description="Short, sourced tips about Restless Legs.")

    def __init__(self, bot: RlsBot, catalog: TipCatalog, rng: random.Random | None = None) -> None:
        super().__init__(bot)
        self.catalog = catalog
        # Replaceable so tests can fix the sequence of tips.
        self.rng = rng or random.Random()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        # The server's daily tip is this feature's post; /config only says where and when.
        self.bot.engine.register_renderer(TIP_KIND, DailyTipRenderer(self.bot, self.catalog))

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # -- shared by commands and components --------------------------------------------------

    async def next_tip(self, user_id: int, topic_id: str | None) -> Tip:
        """A tip this user hasn't seen lately, noted as seen before it is shown (so a quick
        second request already avoids it)."""
        chosen: list[Tip] = []

        def choose(recent: list[str]) -> str:
            chosen.append(pick_tip(self.catalog, topic_id, recent, self.rng))
            return chosen[-1].id

        # The read of the recent ones, the choice and the write: one transaction, one trip.
        await self.bot.repos.tip_history.choose_and_record(user_id, choose, self.bot.clock.now())
        return chosen[-1]

    async def _seen(self, user_id: int, tip: Tip) -> None:
        await self.bot.repos.tip_history.record(user_id, tip.id, self.bot.clock.now())

    def render(
        self, tip: Tip, topic_id: str | None, owner_id: int, tr: Speaker = ENGLISH_SPEAKER
    ) -> tuple[discord.Embed, discord.ui.View]:
        # In the reader's language where the tip is translated; ids stay the English ones.
        catalog = in_language(self.catalog, tr.locale)
        shown = catalog.get(tip.id) or tip
        return tip_embed(catalog, shown, tr), tip_view(catalog, shown, topic_id, owner_id, tr)

    async def another(
        self, interaction: discord.Interaction[Any], topic_id: str | None, owner_id: int
    ) -> None:
        # Exact ids only: a custom_id is written by us, so anything else is outdated or forged.
        if topic_id is not None and all(topic.id != topic_id for topic in self.catalog.topics):
            raise UserError(STALE_TOPIC)
        user_id = interaction.user.id
        tip = await self.next_tip(user_id, topic_id)
        embed, view = self.render(tip, topic_id, user_id, translator_for(interaction))
        if owner_id == ANYONE:
            await send_reply(interaction, embed=embed, view=view, ephemeral=True)
        else:
            await interaction.response.edit_message(
                embed=embed, view=view, allowed_mentions=NO_MENTIONS
            )

    async def open_privately(self, interaction: discord.Interaction[Any], tip_id: str) -> None:
        tip = self.catalog.get(tip_id)
        if tip is None:
            raise UserError(STALE_TIP)
        await self._seen(interaction.user.id, tip)
        embed, view = self.render(tip, tip.topic, interaction.user.id, translator_for(interaction))
        await send_reply(interaction, embed=embed, view=view, ephemeral=True)

    # -- commands -----------------------------------------------------------------------------

    @group.command(
        name="tip", description="A random tip about RLS, from any topic or one you pick."
    )
    @cooldown(public_tip_limits)
    @app_commands.describe(
        topic="A topic (see /rls topics); leave empty for any",
        private="Only you see the tip (default: everyone in this channel)",
    )
    async def tip(
        self,
        interaction: discord.Interaction[RlsBot],
        topic: str | None = None,
        private: bool = False,
    ) -> None:
        tr = translator_for(interaction)
        # The topic by its name as /rls topics shows it in the reader's language (or its id,
        # which the autocomplete sends); a refusal lists the topics in that language too.
        topic_id = (
            in_language(self.catalog, tr.locale).topic(topic).id if topic is not None else None
        )
        chosen = await self.next_tip(interaction.user.id, topic_id)
        # A server that never added the bot gets no public tip: only the person sees it, and
        # is told why (they may have meant to share it).
        not_here = server_without_bot(interaction) and not private
        # A DM is only ever seen by the person asking, so it is private even when not ephemeral.
        alone = private or not_here or interaction.guild_id is None
        owner_id = interaction.user.id if alone else ANYONE
        embed, view = self.render(chosen, topic_id, owner_id, tr)
        note = tr(NOT_ADDED_HERE) if not_here else None
        await send_reply(interaction, note, embed=embed, view=view, ephemeral=private or not_here)

    @tip.autocomplete("topic")
    async def _topic_autocomplete(
        self, interaction: discord.Interaction[RlsBot], current: str
    ) -> list[app_commands.Choice[str]]:
        tr = translator_for(interaction)
        return [
            app_commands.Choice(name=label, value=topic_id)
            for topic_id, label in topic_choices(in_language(self.catalog, tr.locale), current, tr)
        ]

    @group.command(name="topics", description="The tip topics, what each covers, and tip counts.")
    async def topics(self, interaction: discord.Interaction[RlsBot]) -> None:
        tr = translator_for(interaction)
        catalog = in_language(self.catalog, tr.locale)
        await send_reply(interaction, embed=topics_embed(catalog, tr))

    @group.command(name="search", description="Search the tips, e.g. “burning legs” or “massage”.")
    @app_commands.describe(query="A word or two (up to 100 characters)")
    async def find(
        self, interaction: discord.Interaction[RlsBot], query: app_commands.Range[str, 1, MAX_QUERY]
    ) -> None:
        tr = translator_for(interaction)
        # Searched in the reader's language: German titles, bodies and keywords (and the English
        # keywords each translated tip keeps).
        catalog = in_language(self.catalog, tr.locale)
        hits = search(catalog, query, limit=SEARCH_RESULTS)
        if not hits:
            await send_reply(interaction, nothing_found_text(catalog, query, tr))
            return
        view = discord.ui.View(timeout=None)
        view.add_item(
            OpenTipSelect(interaction.user.id, tip_options([hit.tip for hit in hits], catalog), tr)
        )
        await send_reply(interaction, embed=results_embed(catalog, query, hits, tr), view=view)

    @find.autocomplete("query")
    async def _query_autocomplete(
        self, interaction: discord.Interaction[RlsBot], current: str
    ) -> list[app_commands.Choice[str]]:
        tr = translator_for(interaction)
        return [
            app_commands.Choice(name=title, value=title)
            for title in suggest_titles(in_language(self.catalog, tr.locale), current)
        ]

    @group.command(name="about", description="What this bot is and where its tips come from.")
    async def about(self, interaction: discord.Interaction[RlsBot]) -> None:
        tr = translator_for(interaction)
        # The publishers are those the reader's tips cite (German tips add German ones).
        catalog = in_language(self.catalog, tr.locale)
        await send_reply(interaction, embed=about_embed(catalog, readme_url(), tr))


async def setup(bot: RlsBot) -> None:
    # Loaded once: a broken catalog raises CatalogError naming the file and entry, failing start-up.
    await bot.add_cog(TipsCog(bot, load_catalog()))
