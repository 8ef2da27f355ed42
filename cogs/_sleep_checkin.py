"""/sleep's guided check-in: a modal for the clock times, two steps of one-tap menus, a note.

The answers stay in memory (:class:`CheckinFlow`) until Save; every custom_id carries the owner's id
and the night, and every step checks the person answering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY, dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import discord

from bot.clinical.nights import REGIONS
from bot.errors import UserError
from bot.i18n import N_, Speaker
from bot.i18n.speech import ENGLISH_SPEAKER, Day, Phrase
from bot.interactions import FormModal, OnePress, OwnedView
from bot.sleep.entry import KNOWN_TAGS, SleepEntry, tag_label
from bot.sleep.form import MAX_NOTE, NightForm, check_night, parse_night

if TYPE_CHECKING:
    from cogs.sleep import SleepService


def night_id(night: date) -> str:
    """A night in custom_ids (the check-in's and the rest of /sleep's): YYYYMMDD."""
    return night.isoformat().replace("-", "")  # strftime("%Y") drops zeros before year 1000


def _options(values: list[tuple[str, str]], current: object) -> list[discord.SelectOption]:
    return [
        discord.SelectOption(label=label, value=value, default=str(current) == value)
        for value, label in values
    ]


Options = list[tuple[str, str]]


def _grid(usual: Iterable[int], answered: int | None) -> list[int]:
    """A menu's usual numbers plus the night's answer when it is none of them (typed in
    `/sleep log`), so that the menu shows it picked rather than nothing, as if unanswered."""
    return sorted({*usual} if answered is None else {*usual, answered})


def _minutes_label(minutes: int, short: str, long: str, tr: Speaker) -> str:
    """Under an hour in minutes ("20 min"), from an hour on as hours and minutes ("1h30"; in
    German as the diary says them elsewhere, "1 Std. 30 Min.")."""
    if minutes < 60:
        return tr(short, minutes=minutes)
    hours = tr("{hours}h{minutes}", hours=minutes // 60, minutes=f"{minutes % 60:02d}")
    return tr(long, duration=hours)


def awakenings_options(tr: Speaker, answered: int | None = None) -> Options:
    return [
        (str(n), tr.plural(n, "Woke {count} time", "Woke {count} times"))
        for n in _grid((*range(11), 12, 15, 20), answered)
    ]


def awake_options(tr: Speaker, answered: int | None = None) -> Options:
    return [
        (
            str(n),
            _minutes_label(
                n, N_("Awake {minutes} min in the night"), N_("Awake {duration} in the night"), tr
            ),
        )
        for n in _grid((0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 150, 180, 240, 300), answered)
    ]


QUALITY = [
    ("1", N_("Quality 1: very poor")),
    ("2", N_("Quality 2: poor")),
    ("3", N_("Quality 3: fair")),
    ("4", N_("Quality 4: good")),
    ("5", N_("Quality 5: very good")),
]


def severity_options(tr: Speaker) -> Options:
    return (
        [("0", tr("RLS 0: no symptoms"))]
        + [(str(n), tr("RLS {severity}/10", severity=n)) for n in range(1, 10)]
        + [("10", tr("RLS 10: worst imaginable"))]
    )


def rls_up_options(tr: Speaker, answered: int | None = None) -> Options:
    return [
        (str(n), tr.plural(n, "RLS got me up {count} time", "RLS got me up {count} times"))
        for n in _grid(range(11), answered)
    ]


def naps_options(tr: Speaker, answered: int | None = None) -> Options:
    return [
        (
            str(n),
            tr("No naps yesterday")
            if n == 0
            else tr.plural(n, "{count} nap yesterday", "{count} naps yesterday"),
        )
        for n in _grid(range(6), answered)
    ]


def rest_options(tr: Speaker, answered: int | None = None) -> Options:
    return [
        (
            str(n),
            tr("At once when I sat or lay down")
            if n == 0
            else _minutes_label(
                n, N_("After {minutes} min at rest"), N_("After {duration} at rest"), tr
            ),
        )
        for n in _grid((0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360), answered)
    ]


REGION_LABELS = {
    "legs": N_("Legs (and feet)"),
    "arms": N_("Arms (and hands)"),
    "trunk": N_("Trunk (back, belly, chest)"),
    "other": N_("Somewhere else"),
}


def nap_minutes_options(tr: Speaker, answered: int | None = None) -> Options:
    return [
        (
            str(n),
            _minutes_label(
                n, N_("Napped {minutes} min in all"), N_("Napped {duration} in all"), tr
            ),
        )
        for n in _grid((10, 15, 20, 30, 45, 60, 90, 120, 180, 240), answered)
    ]


def all_options(tr: Speaker) -> list[Options]:
    """Every menu's options in one language (for the tests of Discord's label limit)."""
    return [
        awakenings_options(tr),
        awake_options(tr),
        [(v, tr(label)) for v, label in QUALITY],
        severity_options(tr),
        rls_up_options(tr),
        naps_options(tr),
        rest_options(tr),
        [(k, tr(label)) for k, label in REGION_LABELS.items()],
        nap_minutes_options(tr),
        [(k, tag_label(k, tr)) for k in KNOWN_TAGS],
    ]


ALREADY_SAVING = N_("This check-in is already being saved.")
WHERE_TYPED_ANSWERS_ARE = N_(
    "Change it on **Next: RLS & tags**: **Add a note…** holds when symptoms started and your "
    "own tags, and picking body regions there replaces the ones you typed."
)


def times_only(form: NightForm) -> NightForm:
    """The form without the typed answers that the check-in's later steps hold (when symptoms
    started, own tags, typed regions): what the times step can check and change."""
    return replace(form, rls_onset=None, tag_text=None, region_text=None)


@dataclass(eq=False)
class CheckinFlow:
    """One person's check-in in progress: the night, their zone and the answers so far.

    Held in memory by the views of one ephemeral message for at most 15 minutes (the life of an
    interaction token); nothing is written until Save, so an abandoned check-in leaves no trace.
    Each page is a view built from the answers so far: moving between pages (Next, Back) shows a
    fresh view of the next page, so a page's menus always show what was picked.
    """

    service: SleepService
    owner_id: int
    zone: str
    night: date
    form: NightForm
    _: KW_ONLY
    editing: bool
    tr: Speaker = ENGLISH_SPEAKER
    # A double click on Save would otherwise save twice, or have the second press find the
    # first one's entry and ask whether to replace it.
    _save: OnePress = field(default_factory=lambda: OnePress(ALREADY_SAVING), init=False)

    def custom_id(self, part: str) -> str:
        return f"rls:sleep:ci:{part}:{self.owner_id}:{night_id(self.night)}"

    def heading(self) -> str:
        tr = self.tr
        return tr("Night ending {night}", night=Day(self.night, "short_day", "%a %d %b"))

    def details_prompt(self) -> str:
        tr = self.tr
        return tr(
            "**{heading}**: and the rest of the night? (Pick, then Next or Save.)",
            heading=self.heading(),
        )

    def tags_prompt(self) -> str:
        tr = self.tr
        return tr("**{heading}**: RLS and anything else? (All optional.)", heading=self.heading())

    def naps_prompt(self) -> str:
        tr = self.tr
        return tr("**{heading}**: naps yesterday? (Optional.)", heading=self.heading())

    async def save(self, interaction: discord.Interaction[Any], page: OwnedView) -> None:
        """Save (or ask before replacing), answering in place of `page`, which then stops."""
        with self._save.taken():
            entry = self.build(self.form)
            await self.service.save_or_ask(interaction, entry, replace=self.editing, leaving=page)

    def build(self, form: NightForm) -> SleepEntry:
        return self.service.build(self.owner_id, self.zone, self.night, form)

    def where_to_fix(self, problem: UserError) -> UserError:
        """`problem`, found at Save, with where to change the answer when it is one typed into
        /sleep log that the pages' menus do not show (the times step let it pass)."""
        try:
            self.build(times_only(self.form))
        except UserError:
            return problem  # in the times or the menus' answers, which the problem names
        try:
            self.build(self.form)
        except UserError as found:
            if found.text == problem.text:
                return UserError(
                    N_("{problem}\n-# {where}"),
                    problem=Phrase(problem.text, **problem.params),
                    where=Phrase(WHERE_TYPED_ANSWERS_ARE),
                )
        return problem


class FlowModal(FormModal):
    """A form of the check-in that only the flow's person may submit; `part` names it in its
    custom_id."""

    def __init__(self, flow: CheckinFlow, part: str, title: str) -> None:
        super().__init__(flow.owner_id, title=title, custom_id=flow.custom_id(part))
        self.flow = flow


def time_input(
    label: str, custom_id: str, default: str | None, *, required: bool = False
) -> discord.ui.TextInput[Any]:
    """A clock time answer, as typed ("23:15", "7am"); parsed when the night is built."""
    return discord.ui.TextInput(
        label=label, custom_id=custom_id, default=default, required=required, max_length=20
    )


class TimesModal(FlowModal):
    """Step 1: the five clock answers (a modal holds at most five inputs)."""

    def __init__(self, flow: CheckinFlow) -> None:
        tr = flow.tr
        super().__init__(flow, "times", tr("{heading}: times", heading=flow.heading()))
        f = flow.form
        self.bed = time_input(tr("Into bed (e.g. 23:15)"), "bed", f.into_bed, required=True)
        self.tried = time_input(
            tr("Tried to sleep (blank: same as into bed)"), "tried", f.tried_sleep
        )
        self.latency: discord.ui.TextInput[TimesModal] = discord.ui.TextInput(
            label=tr("Minutes to fall asleep (blank: not sure)"),
            custom_id="latency",
            # Blank stays blank: an unanswered question is unknown, not 0.
            default=None if f.sleep_latency_min is None else str(f.sleep_latency_min),
            required=False,
            max_length=4,
        )
        self.wake = time_input(tr("Final wake (e.g. 7am)"), "wake", f.final_wake, required=True)
        self.up = time_input(tr("Out of bed for the day"), "up", f.out_of_bed)
        for item in (self.bed, self.tried, self.latency, self.wake, self.up):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        form = self.flow.form
        form.into_bed = self.bed.value
        form.tried_sleep = self.tried.value or None
        form.sleep_latency_min = parse_minutes(self.latency.value)
        form.final_wake = self.wake.value
        form.out_of_bed = self.up.value or None
        # Check the times now, so a typo is caught before the rest is answered. Answers typed
        # into /sleep log for later steps (symptom start, own tags, regions) are checked at
        # Save, near where they can be changed: here they would hold this form in a loop.
        self.flow.build(times_only(form))
        await self.answer(interaction, self.flow.details_prompt(), view=DetailsView(self.flow))


class NightModal(FormModal):
    """/sleep log's night, asked again when the typed one could not be read or has not happened
    yet, holding everything else typed: a valid night carries on as /sleep log would (save, ask,
    or offer the check-in for a problem in the rest)."""

    def __init__(
        self,
        service: SleepService,
        owner_id: int,
        zone: str,
        form: NightForm,
        typed: str | None,
        tr: Speaker,
    ) -> None:
        self.service, self.zone, self.form = service, zone, form
        super().__init__(
            owner_id, title=tr("Which night?"), custom_id=f"rls:sleep:lognight:{owner_id}"
        )
        self.night: discord.ui.TextInput[NightModal] = discord.ui.TextInput(
            label=tr("The morning it ended (blank: today)"),
            custom_id="night",
            default=typed,
            placeholder=tr("today, yesterday or 2026-03-03"),
            required=False,
            max_length=24,
        )
        self.add_item(self.night)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        today = self.service.today(self.zone)
        check_night(parse_night(self.night.value, today), today)  # else this form again
        await self.service.log_typed(
            interaction,
            self.zone,
            self.form,
            self.night.value,
            answer=self.answer,
            leaving=self.retry,
        )
        self.retry = None


def parse_minutes(text: str) -> int | None:
    cleaned = text.strip().lower().removesuffix("min").strip()
    if not cleaned:
        return None
    if not cleaned.isascii() or not cleaned.isdigit():
        raise UserError(
            N_("Minutes to fall asleep should be a number like 20, not “{typed}”."), typed=text[:20]
        )
    return int(cleaned)


class FlowView(OwnedView):
    """One page of the check-in: menus that remember each pick at once, buttons in row 4."""

    def __init__(self, flow: CheckinFlow) -> None:
        super().__init__(flow.owner_id, timeout=900)
        self.flow = flow
        self.tr = flow.tr

    def select(
        self, part: str, placeholder: str, values: list[tuple[str, str]]
    ) -> discord.ui.Select[FlowView]:
        """A one-answer menu for the form's field FIELDS[part], showing its answer so far."""
        current = getattr(self.flow.form, FIELDS[part])
        menu: discord.ui.Select[FlowView] = discord.ui.Select(
            custom_id=self.flow.custom_id(part),
            placeholder=placeholder,
            options=_options(values, current),
        )
        menu.callback = self._remember(part, menu)  # type: ignore[method-assign]
        self.add_item(menu)
        return menu

    def multi_select(
        self,
        part: str,
        placeholder: str,
        values: list[tuple[str, str]],
        picked: set[str],
        remember: Callable[[list[str]], None],
    ) -> None:
        """A menu of any number of answers (none too), remembered at each change."""
        menu: discord.ui.Select[FlowView] = discord.ui.Select(
            custom_id=self.flow.custom_id(part),
            placeholder=placeholder,
            min_values=0,
            max_values=len(values),
            options=[
                discord.SelectOption(label=label, value=value, default=value in picked)
                for value, label in values
            ],
        )

        async def callback(interaction: discord.Interaction[Any]) -> None:
            remember(menu.values)
            await interaction.response.defer()

        menu.callback = callback  # type: ignore[method-assign]
        self.add_item(menu)

    def _remember(self, part: str, menu: discord.ui.Select[FlowView]) -> Any:
        async def callback(interaction: discord.Interaction[Any]) -> None:
            setattr(self.flow.form, FIELDS[part], int(menu.values[0]))
            await interaction.response.defer()

        return callback

    def button(self, part: str, label: str, style: discord.ButtonStyle, handler: Any) -> None:
        button: discord.ui.Button[FlowView] = discord.ui.Button(
            label=label, style=style, custom_id=self.flow.custom_id(part), row=4
        )
        button.callback = handler  # type: ignore[method-assign]
        self.add_item(button)

    async def save(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.flow.save(interaction, self)
        except UserError as problem:
            raise self.flow.where_to_fix(problem) from None


FIELDS = {
    "awakenings": "awakenings",
    "awake": "awake_min",
    "quality": "quality",
    "severity": "severity",
    "rlsup": "rls_out_of_bed",
    "naps": "naps",
    "napmin": "nap_min",
    "rest": "rest_min",
}


class DetailsView(FlowView):
    """Step 2: four one-tap answers."""

    def __init__(self, flow: CheckinFlow) -> None:
        super().__init__(flow)
        tr = flow.tr
        # The Consensus Sleep Diary's wording: the final awakening is not one of the awakenings,
        # and time up walking (which RLS brings) counts as awake.
        self.select(
            "awakenings",
            tr("Awakenings, not counting your final awakening"),
            awakenings_options(tr, flow.form.awakenings),
        )
        self.select(
            "awake",
            tr(
                "Minutes awake between first falling asleep and final awakening, incl. time up "
                "walking"
            ),
            awake_options(tr, flow.form.awake_min),
        )
        self.select(
            "quality", tr("How well did you sleep?"), [(v, tr(label)) for v, label in QUALITY]
        )
        self.select("severity", tr("RLS symptoms last evening/night (0–10)"), severity_options(tr))
        self.button("next", tr("Next: RLS & tags"), discord.ButtonStyle.primary, self.next_page)
        self.button("save", tr("Save"), discord.ButtonStyle.success, self.save)

    async def next_page(self, interaction: discord.Interaction[Any]) -> None:
        await self.leave(interaction, content=self.flow.tags_prompt(), view=TagsView(self.flow))


class TagsView(FlowView):
    """Step 3: the RLS answers (got you up, where, after how long at rest) and tags; Next goes on
    to naps, the note opens from here or there."""

    def __init__(self, flow: CheckinFlow) -> None:
        super().__init__(flow)
        f, tr = flow.form, flow.tr
        self.select(
            "rlsup", tr("Times RLS got you out of bed"), rls_up_options(tr, f.rls_out_of_bed)
        )
        self.multi_select(
            "regions",
            tr("Where you felt RLS symptoms (pick all that apply)"),
            [(key, tr(REGION_LABELS[key])) for key in REGIONS],
            f.body_regions or set(),
            self._remember_regions,
        )
        self.select(
            "rest", tr("Minutes at rest before symptoms started"), rest_options(tr, f.rest_min)
        )
        self.multi_select(
            "tags",
            tr("Tags for yesterday/last night"),
            [(key, tag_label(key, tr)) for key in KNOWN_TAGS],
            f.tags,
            self._remember_tags,
        )
        self.button("back", tr("Back"), discord.ButtonStyle.secondary, self.back)
        # Ids of their own, unlike the other pages' Back and Next: a double tap on one page's
        # Next must not press the next page's Next too.
        self.button("tonaps", tr("Next: naps"), discord.ButtonStyle.primary, self.next_page)
        self.button("note", tr("Add a note…"), discord.ButtonStyle.secondary, self.note)
        self.button("save", tr("Save"), discord.ButtonStyle.success, self.save)

    def prompt(self) -> str:
        return self.flow.tags_prompt()

    def _remember_tags(self, picked: list[str]) -> None:
        custom = {t for t in self.flow.form.tags if t not in KNOWN_TAGS}
        self.flow.form.tags = set(picked) | custom

    def _remember_regions(self, picked: list[str]) -> None:
        # Nothing picked is "not answered", never "no symptoms" (type `regions:none` in
        # /sleep log for that).
        self.flow.form.body_regions = set(picked) or None
        self.flow.form.region_text = None

    async def back(self, interaction: discord.Interaction[Any]) -> None:
        await self.leave(
            interaction, content=self.flow.details_prompt(), view=DetailsView(self.flow)
        )

    async def next_page(self, interaction: discord.Interaction[Any]) -> None:
        await self.leave(interaction, content=self.flow.naps_prompt(), view=NapsView(self.flow))

    async def note(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_modal(NoteModal(self.flow, self))


class NapsView(FlowView):
    """Step 4: naps the day before, and the note."""

    def __init__(self, flow: CheckinFlow) -> None:
        super().__init__(flow)
        tr = flow.tr
        self.select(
            "naps",
            tr("Naps yesterday (not part of the night's sleep)"),
            naps_options(tr, flow.form.naps),
        )
        self.select(
            "napmin",
            tr("Minutes napping yesterday, all together"),
            nap_minutes_options(tr, flow.form.nap_min),
        )
        self.button("torls", tr("Back"), discord.ButtonStyle.secondary, self.back)
        self.button("note", tr("Add a note…"), discord.ButtonStyle.secondary, self.note)
        self.button("save", tr("Save"), discord.ButtonStyle.success, self.save)

    def prompt(self) -> str:
        return self.flow.naps_prompt()

    async def back(self, interaction: discord.Interaction[Any]) -> None:
        await self.leave(interaction, content=self.flow.tags_prompt(), view=TagsView(self.flow))

    async def note(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_modal(NoteModal(self.flow, self))


class NoteModal(FlowModal):
    """The free-text answers, then save."""

    def __init__(self, flow: CheckinFlow, page: TagsView | NapsView) -> None:
        tr = flow.tr
        super().__init__(flow, "notes", tr("{heading}: note", heading=flow.heading()))
        self.page = page
        f = flow.form
        self.note: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
            label=tr("Note (for you and your doctor)"),
            custom_id="note",
            style=discord.TextStyle.paragraph,
            default=f.note,
            required=False,
            max_length=MAX_NOTE,
        )
        self.onset = time_input(
            tr("When did RLS symptoms start? (e.g. 20:30)"), "onset", f.rls_onset
        )
        # What was typed last time (kept when saving failed), else the night's own tags.
        custom = f.tag_text or ", ".join(sorted(t for t in f.tags if t not in KNOWN_TAGS))
        self.custom: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
            label=tr("Your own tags, comma-separated"),
            custom_id="custom",
            default=custom or None,
            required=False,
            max_length=80,
        )
        for item in (self.note, self.onset, self.custom):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        form = self.flow.form
        form.note = self.note.value or None
        form.rls_onset = self.onset.value or None
        form.tags = {t for t in form.tags if t in KNOWN_TAGS}
        form.tag_text = self.custom.value or None
        # A modal opened from a message button edits that message when it answers.
        await self.flow.save(interaction, self.page)

    async def on_invalid(self, interaction: discord.Interaction[Any], problem: str) -> None:
        # The form's answers are in the flow already: show the page again with the problem;
        # its "Add a note…" opens the note holding what was typed.
        tr = self.flow.tr
        await self.page.leave(
            interaction,
            content=tr(
                "{prompt}\n**Not saved yet:** {problem}\n-# **Add a note…** opens your note "
                "again as you typed it.",
                prompt=self.page.prompt(),
                problem=problem,
            ),
            view=type(self.page)(self.flow),
        )
