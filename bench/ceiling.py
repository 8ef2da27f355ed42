"""The ceiling (issue 19): the project's bot against a bare discord.py bot, in one sitting.

    .venv/bin/python -m bench.ceiling [--commands 500] [--runs 2] [--users 100]
                                      [--variants asyncio+stdlib uvloop+orjson ...]
                                      [--profile DIR]

For each of `/rls tip`, `/stretch status` and `/sleep stats`, `--commands` interactions are put
on the gateway at once (back to back on one connection) and the benchmark waits for every
callback. acks/s = acknowledged / (last callback - first dispatch). Both bots run as separate
processes against the same emulator (in this process), one at a time, alternating: run 1 starts
the bare bot first, run 2 the project's, and so on, so a change of load on a shared machine hits
both. The bare bot (`bench.bare_bot`) answers one static ephemeral embed with the same intents;
the project's bot answers from a SQLite file seeded like `bench.load_interactions` (users with a
timezone, a stretch schedule and 14 nights of diary).

`--variants` chooses the JSON library and event loop of both bots (`bench.runner`): e.g.
`asyncio+stdlib asyncio+orjson uvloop+orjson`; each variant is run for both bots in every run.

`--our-replies` adds a third bot: the bare one answering each command with the project's own
reply (recorded from the project's bot before the runs: the same content, embeds, buttons and
menus, built once): what discord.py costs to send our replies, with none of our own work. Between
it and the project lies what our code costs; between it and the bare bot, what our replies cost.

`--profile DIR` runs each bot under cProfile for the measured bursts only (not start-up or
warm-up) and writes DIR/<variant>-<bot>-<command>.prof, then prints the top entries. cProfile
sees the event-loop thread; the SQLite worker thread's own time is not in it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import pstats
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.common import machine
from bench.crash_safety import bot_env, kill
from bench.load_interactions import CALLBACK, cpu_seconds, percentile, seed
from bot.db.sqlite import SqliteDatabase
from bot.emulator import DiscordEmulator, EmuUser

COMMANDS = ["rls tip", "stretch status", "sleep stats"]
BOTS = {"bare": "bench.bare_bot", "project": "bot"}
# The bare bot sending the project's recorded replies (--our-replies).
BARE_WITH_OUR_REPLIES = "bare+our replies"
# Issue 19's targets: the project's burst throughput as a share of the bare bot's.
TARGET = {"rls tip": 0.8, "stretch status": 0.7, "sleep stats": 0.7}
WARM_UP = 30


@dataclass
class Burst:
    acks_per_second: float
    acknowledged: int
    p99_ms: float
    cpu_ms_per_command: float


@dataclass
class Sitting:
    """Every burst of the sitting: (variant, bot, command) -> one Burst per run."""

    bursts: dict[tuple[str, str, str], list[Burst]] = field(default_factory=dict)

    def add(self, variant: str, bot: str, command: str, burst: Burst) -> None:
        self.bursts.setdefault((variant, bot, command), []).append(burst)


async def burst(emu: DiscordEmulator, users: list[EmuUser], command: str, count: int) -> Burst:
    """`count` interactions of one command at once; waits for every callback."""
    # The emulator keeps every request it saw: a full collection in this process would stall
    # it and be counted against the bot.
    gc.collect()
    gc.disable()
    try:
        started = time.monotonic()
        sent = [
            (await emu.slash(users[n % len(users)], command), time.monotonic())
            for n in range(count)
        ]
        callbacks = [await interaction.response(timeout=120) for interaction, _ in sent]
    finally:
        gc.enable()
    by_token = {r.path.split("/")[3]: r for r in emu.requests_to("POST", CALLBACK)}
    arrived = [by_token[interaction.token].at for interaction, _ in sent]
    latencies = [(by_token[i.token].at - at) * 1000 for i, at in sent]
    acknowledged = sum(1 for c in callbacks if c.type in (4, 5))
    return Burst(
        acks_per_second=acknowledged / (max(arrived) - started),
        acknowledged=acknowledged,
        p99_ms=percentile(latencies, 99),
        cpu_ms_per_command=0.0,
    )


async def start(
    emu: DiscordEmulator,
    module: str,
    db_path: Path,
    variant: str,
    profile_to: Path | None,
    **settings: str,
) -> asyncio.subprocess.Process:
    loop_name, json_name = variant.split("+")
    env = bot_env(emu, db_path, REMINDER_TICK_SECONDS="3600", LOG_LEVEL="WARNING", **settings)
    runner = ["-m", "bench.runner", "--loop", loop_name, "--json", json_name]
    if profile_to is not None:
        runner += ["--profile-to", str(profile_to)]
    with (db_path.parent / "bot.log").open("ab") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            *runner,
            module,
            "run",
            cwd=db_path.parent,
            env=env,
            stdout=sink,
            stderr=sink,
        )


async def measure_bot(
    emu: DiscordEmulator,
    users: list[EmuUser],
    module: str,
    db_path: Path,
    variant: str,
    count: int,
    readies: int,
    profile_to: Path | None,
    warm_up: int,
    **settings: str,
) -> dict[str, Burst]:
    process = await start(emu, module, db_path, variant, profile_to, **settings)
    results: dict[str, Burst] = {}
    try:
        await emu.wait_until_ready(timeout=60, shards=readies)
        for command in COMMANDS:  # first-use imports and caches
            for n in range(warm_up):
                await (await emu.slash(users[n % len(users)], command)).response(timeout=30)
        for command in COMMANDS:
            if profile_to is not None:
                process.send_signal(signal.SIGUSR1)
            cpu_before = cpu_seconds(process.pid)
            result = await burst(emu, users, command, count)
            result.cpu_ms_per_command = (cpu_seconds(process.pid) - cpu_before) / count * 1000
            if profile_to is not None:
                process.send_signal(signal.SIGUSR2)
                await written(profile_to.with_name(f"{profile_to.name}.{len(results) + 1}"))
            results[command] = result
    finally:
        # The figures are in: no need for a clean shutdown (the database is a throwaway copy).
        await kill(process)
    return results


async def written(path: Path, within: float = 60) -> None:
    """Wait until the bot has written a profile (it does so when it next runs Python code)."""
    deadline = time.monotonic() + within
    while not await asyncio.to_thread(path.exists):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the bot wrote no profile {path}")
        await asyncio.sleep(0.05)


async def record_replies(
    emu: DiscordEmulator, user: EmuUser, template: Path, into: Path, readies: int
) -> None:
    """The project's reply to each command (its `data`: content, embeds, components), as JSON."""
    db_path = into.parent / "record" / "bot.sqlite3"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, db_path)
    process = await start(emu, BOTS["project"], db_path, "asyncio+stdlib", None)
    try:
        await emu.wait_until_ready(timeout=60, shards=readies)
        replies = {}
        for command in COMMANDS:
            reply = await (await emu.slash(user, command)).response(timeout=30)
            replies[command] = reply.body["data"]
    finally:
        await kill(process)
    await asyncio.to_thread(into.write_text, json.dumps(replies))


async def run(
    count: int,
    runs: int,
    user_count: int,
    variants: list[str],
    profile: Path | None,
    warm_up: int = WARM_UP,
    our_replies: bool = False,
) -> Sitting:
    sitting = Sitting()
    async with DiscordEmulator(validate=False) as emu:
        users = [emu.add_user(f"user{n}") for n in range(user_count)]
        with tempfile.TemporaryDirectory() as tmp:
            template = Path(tmp) / "template.sqlite3"
            db = await SqliteDatabase.open(template)
            try:
                await seed(db, users, datetime.now(UTC))
            finally:
                await db.close()
            readies = 0
            bots = dict(BOTS)
            settings: dict[str, dict[str, str]] = {name: {} for name in BOTS}
            if our_replies:
                recorded = Path(tmp) / "replies.json"
                readies += 1
                await record_replies(emu, users[-1], template, recorded, readies)
                bots[BARE_WITH_OUR_REPLIES] = BOTS["bare"]
                settings[BARE_WITH_OUR_REPLIES] = {"BARE_REPLIES": str(recorded)}
            for run_number in range(runs):
                # Alternate which bot goes first, so drifting load on a shared machine is shared.
                order = list(bots) if run_number % 2 == 0 else list(reversed(bots))
                for variant in variants:
                    for name in order:
                        # A fresh copy each time: every run of the project starts from the same data.
                        db_path = Path(tmp) / f"run{run_number}-{name}" / "bot.sqlite3"
                        db_path.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy(template, db_path)
                        profile_to = (
                            Path(tmp) / f"{variant}-{name}-run{run_number}" if profile else None
                        )
                        readies += 1
                        results = await measure_bot(
                            emu,
                            users,
                            bots[name],
                            db_path,
                            variant,
                            count,
                            readies,
                            profile_to,
                            warm_up,
                            **settings[name],
                        )
                        for command, result in results.items():
                            sitting.add(variant, name, command, result)
                        if profile is not None and profile_to is not None:
                            keep_profiles(profile_to, profile, variant, name, run_number)
    return sitting


def keep_profiles(written: Path, into: Path, variant: str, bot: str, run_number: int) -> None:
    into.mkdir(parents=True, exist_ok=True)
    for n, command in enumerate(COMMANDS, start=1):
        source = written.with_name(f"{written.name}.{n}")
        if source.exists():
            slug = command.replace(" ", "-")
            who = bot.replace(" ", "-")
            shutil.copy(source, into / f"{variant}-{who}-{slug}-run{run_number + 1}.prof")


def table(sitting: Sitting, variants: list[str]) -> str:
    lines = [
        "| variant | command | bare acks/s (per run) | project acks/s (per run) | ratio (per run) "
        "| target | p99 bare / project, ms | bot CPU per command bare / project, ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for variant in variants:
        for command in COMMANDS:
            bare = sitting.bursts[(variant, "bare", command)]
            project = sitting.bursts[(variant, "project", command)]
            ratios = [
                p.acks_per_second / b.acks_per_second for b, p in zip(bare, project, strict=True)
            ]
            lines.append(
                f"| {variant} | /{command} "
                f"| {', '.join(f'{b.acks_per_second:.0f}' for b in bare)} "
                f"| {', '.join(f'{p.acks_per_second:.0f}' for p in project)} "
                f"| {', '.join(f'{r:.2f}' for r in ratios)} "
                f"| ≥ {TARGET[command]} "
                f"| {statistics.median(b.p99_ms for b in bare):.0f} / "
                f"{statistics.median(p.p99_ms for p in project):.0f} "
                f"| {statistics.median(b.cpu_ms_per_command for b in bare):.2f} / "
                f"{statistics.median(p.cpu_ms_per_command for p in project):.2f} |"
            )
    unacknowledged = sum(
        1 for bursts in sitting.bursts.values() for b in bursts if b.acknowledged == 0
    )
    if unacknowledged:
        lines.append(f"\n{unacknowledged} burst(s) got no acknowledgement at all: see bot.log")
    return "\n".join(lines)


def reply_table(sitting: Sitting, variants: list[str]) -> str:
    """With --our-replies: CPU per command of the bare bot, the bare bot sending our replies and
    the project, and how the gap between the first and the last splits."""
    lines = [
        "| variant | command | bot CPU per command, ms (per run): bare / bare sending our replies "
        "/ project | CPU ratio bare ÷ bare sending our replies | of the gap: our replies / our "
        "code |",
        "|---|---|---|---|---|",
    ]
    for variant in variants:
        for command in COMMANDS:
            cpu = {
                name: [b.cpu_ms_per_command for b in sitting.bursts[(variant, name, command)]]
                for name in ("bare", BARE_WITH_OUR_REPLIES, "project")
            }
            bare, replying, ours = (statistics.median(v) for v in cpu.values())
            gap = ours - bare
            lines.append(
                f"| {variant} | /{command} | "
                + " / ".join(", ".join(f"{c:.2f}" for c in v) for v in cpu.values())
                + (f" | {bare / replying:.2f} | " if replying else " | – | ")
                + (
                    f"{(replying - bare) / gap:.0%} / {(ours - replying) / gap:.0%} |"
                    if gap
                    else "– |"
                )
            )
    return "\n".join(lines)


def top_entries(path: Path, limit: int) -> str:
    stats = pstats.Stats(str(path))
    ours = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        ours.append((own, cumulative, calls, f"{short(filename)}:{line}({function})"))
    ours.sort(reverse=True)
    rows = [
        f"{own * 1000:9.1f} {cumulative * 1000:9.1f} {calls:8d}  {where}"
        for own, cumulative, calls, where in ours[:limit]
    ]
    return "  own ms    cum ms    calls  function\n" + "\n".join(rows)


AREAS = [
    # Time inside epoll is the loop waiting (for the SQLite thread, the emulator), not work.
    ("waiting in epoll", ("select.epoll",)),
    ("ours (bot/, cogs/)", ("/bot/", "/cogs/")),
    # Handing a statement to aiosqlite's thread: the put wakes it, and the GIL changes hands.
    ("aiosqlite (loop side, incl. hand-off to its thread)", ("/aiosqlite/", "_queue.SimpleQueue")),
    ("socket calls (connect, send, recv)", ("_socket.socket",)),
    ("discord.py", ("/discord/",)),
    ("aiohttp, yarl, multidict", ("/aiohttp/", "/yarl/", "/multidict/")),
    ("json", ("/json/", "orjson")),
    ("asyncio, selectors", ("/asyncio/", "selectors.py", "uvloop", "_asyncio.", "_contextvars")),
]


def area_of(filename: str, function: str) -> str:
    where = f"{filename} {function}"
    for name, markers in AREAS:
        if any(marker in where for marker in markers):
            return name
    return "other (stdlib, builtins, pydantic, ...)"


def areas(path: Path) -> str:
    """Own (exclusive) time by area, and the costliest of our functions by inclusive time."""
    stats = pstats.Stats(str(path))
    by_area: dict[str, float] = {}
    ours: list[tuple[float, float, int, str]] = []
    for (filename, line, function), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        area = area_of(filename, function)
        by_area[area] = by_area.get(area, 0.0) + own
        if area.startswith("ours"):
            ours.append((cumulative, own, calls, f"{short(filename)}:{line}({function})"))
    total = sum(by_area.values())
    lines = [
        "own time by area: "
        + ", ".join(
            f"{name} {seconds * 1000:.0f} ms ({seconds / total:.0%})"
            for name, seconds in sorted(by_area.items(), key=lambda item: -item[1])
        )
    ]
    ours.sort(reverse=True)
    lines.append("  cum ms    own ms    calls  our function")
    lines += [
        f"{cum * 1000:8.1f} {own * 1000:9.1f} {calls:8d}  {where}"
        for cum, own, calls, where in ours[:12]
    ]
    return "\n".join(lines)


def short(filename: str) -> str:
    for marker in ("site-packages/", "/wt-speed/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=500)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument(
        "--variants", nargs="+", default=["asyncio+stdlib"], help="LOOP+JSON, e.g. uvloop+orjson"
    )
    parser.add_argument("--profile", type=Path, default=None, help="directory for .prof files")
    parser.add_argument(
        "--our-replies",
        action="store_true",
        help="also run the bare bot sending the project's own recorded replies",
    )
    args = parser.parse_args()
    for variant in args.variants:
        loop_name, _, json_name = variant.partition("+")
        if loop_name not in ("asyncio", "uvloop") or json_name not in ("stdlib", "orjson"):
            parser.error(
                f"variant {variant!r}: LOOP+JSON with LOOP asyncio|uvloop, JSON stdlib|orjson"
            )
    sitting = asyncio.run(
        run(
            args.commands,
            args.runs,
            args.users,
            args.variants,
            args.profile,
            our_replies=args.our_replies,
        )
    )
    print(f"{args.commands} commands at once, {args.runs} runs alternating; {machine()}\n")
    print(table(sitting, args.variants))
    if args.our_replies:
        print()
        print(reply_table(sitting, args.variants))
    if args.profile is not None:
        for path in sorted(args.profile.glob("*.prof")):
            print(f"\n{path.name}\n{top_entries(path, 15)}\n{areas(path)}")


if __name__ == "__main__":
    main()
