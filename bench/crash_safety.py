"""Crash safety: the real bot process, SIGKILLed mid-burst, restarted, and checked for exactly-once.

    .venv/bin/python -m bench.crash_safety [--reminders 10000] [--seeds 1 2 3] [--kills 3]

For each seed: N stretch reminders are due at once (a fifth of them 30–40 minutes overdue, as after an
outage), written straight into a fresh SQLite file; the bot runs as a separate process against the
emulator, which enforces Discord's global limit of 50 requests/s. `random.Random(seed)` picks after
how many delivered messages each SIGKILL lands; after each kill the bot is restarted. At the end the
emulator's record and the SQLite file must agree: one message per user, every delivery `sent`, no
(schedule, due time) twice, message ids identical, and the overdue ones, and only those, labelled
late. The test suite (`tests/reliability/test_crash_safety.py`) runs the same code with a small N.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import machine
from bot.db.sqlite import SqliteDatabase
from bot.emulator import DiscordEmulator, EmuUser

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TOKEN = "crash.safety.token-0123456789"
MESSAGES = "/channels/{channel_id}/messages"
INVALID = (401, 403, 429)
LATE_AFTER = timedelta(minutes=10)
# Every fifth reminder is overdue by 30-40 minutes: late enough to be labelled, not to be skipped.
LATE_EVERY = 5


@dataclass
class CrashReport:
    seed: int
    reminders: int
    kill_points: list[int]
    seconds: float = 0.0
    delivered_users: int = 0
    messages: int = 0
    duplicates: int = 0  # users with more than one message (must be 0)
    lost: int = 0  # users without a message (must be 0)
    deduplicated: int = 0  # resends the emulator answered from its nonce cache
    resent_after_restart: int = 0  # deliveries the restarted bot found mid-send ("resending N")
    invalid_requests: int = 0  # 401, 403 and 429 answers
    late_labelled: int = 0
    delivery_statuses: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def bot_env(emu: DiscordEmulator, db_path: Path, **settings: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DISCORD_TOKEN", "METRICS_PORT", "SHARD_COUNT", "SHARD_IDS"}
    }
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        DISCORD_TOKEN=TOKEN,
        DATABASE_PATH=str(db_path),
        DISCORD_API_BASE=emu.api_base,
        DISCORD_GATEWAY_URL=emu.gateway_url,
        REMINDER_TICK_SECONDS="1",
        LOG_LEVEL="INFO",
    )
    env.update(settings)
    return env


async def start_bot(
    env: dict[str, str], log: Path, *, module: str = "bot"
) -> asyncio.subprocess.Process:
    # Logs go to a file: an unread pipe would fill up and stall the bot.
    with log.open("ab") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            "run",
            cwd=log.parent,
            env=env,
            stdout=sink,
            stderr=sink,
        )


async def kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGKILL)
    await process.wait()


async def stop(process: asyncio.subprocess.Process, within: float = 60) -> int:
    """SIGTERM and wait: the bot finishes the sends in flight and closes the database."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(process.wait(), within)
    except TimeoutError:
        await kill(process)
        raise


@contextlib.asynccontextmanager
async def bot_process(
    env: dict[str, str], log: Path, *, module: str = "bot"
) -> AsyncIterator[asyncio.subprocess.Process]:
    """A bot process that is always gone when the block ends (SIGKILL if still running)."""
    process = await start_bot(env, log, module=module)
    try:
        yield process
    finally:
        await kill(process)


async def migrate(db_path: Path) -> None:
    db = await SqliteDatabase.open(db_path)
    try:
        await db.migrate()
    finally:
        await db.close()


def seed_reminders(
    db_path: Path, emu: DiscordEmulator, users: list[EmuUser], now: datetime, rng: random.Random
) -> dict[int, datetime]:
    """Users, due stretch schedules and cached DM channels, written straight into the file.

    Each schedule's wall-clock time is the minute of its due time, so its next occurrence is a day
    later: nothing else falls due during the run. Returns user id -> due time.
    """
    due: dict[int, datetime] = {}
    for index, user in enumerate(users):
        if index % LATE_EVERY == 0:
            offset = timedelta(minutes=30, seconds=rng.randint(0, 600))
        else:
            offset = timedelta(seconds=rng.randint(0, 30))
        due[user.id] = (now - offset).replace(microsecond=0)
    created = int((now - timedelta(days=1)).timestamp())
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO users (id, timezone, created_at) VALUES (?, 'UTC', ?)",
                [(u.id, created) for u in users],
            )
            conn.executemany(
                "INSERT INTO schedules (user_id, kind, local_time, days_mask, timezone, next_due, "
                "created_at, updated_at) VALUES (?, 'stretch', ?, 127, 'UTC', ?, ?, ?)",
                [
                    (
                        u.id,
                        due[u.id].strftime("%H:%M"),
                        int(due[u.id].timestamp()),
                        created,
                        created,
                    )
                    for u in users
                ],
            )
            # DM channels the bot opened on an earlier day: one request per reminder.
            conn.executemany(
                "INSERT INTO dm_channels (user_id, channel_id) VALUES (?, ?)",
                [(u.id, emu.world.dm_channel(u).id) for u in users],
            )
    finally:
        conn.close()
    return due


def pending_deliveries(db_path: Path) -> int:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        row = conn.execute("SELECT count(*) FROM deliveries WHERE status = 'pending'").fetchone()
        return int(row[0])
    finally:
        conn.close()


async def wait_for_messages(emu: DiscordEmulator, count: int, within: float) -> None:
    """Until the bot has created `count` more channel messages (DMs) than the cursor has seen."""
    for _ in range(count):
        await emu.wait_for_message(timeout=within)


async def wait_until_settled(emu: DiscordEmulator, db_path: Path, within: float) -> None:
    """Until no delivery is pending in the file. Re-checked after every message request the bot
    makes (a mark_sent follows each), or at the latest every half second."""
    deadline = time.monotonic() + within
    while pending_deliveries(db_path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{pending_deliveries(db_path)} deliveries still pending")
        with contextlib.suppress(TimeoutError):
            await emu.wait_for_request("POST", MESSAGES, timeout=0.5)


def has_late_note(embeds: Iterable[dict[str, object]]) -> bool:
    for embed in embeds:
        for f in embed.get("fields") or []:  # type: ignore[attr-defined]
            if f.get("name") == "Note" and " late" in str(f.get("value")):
                return True
    return False


def check(
    report: CrashReport,
    emu: DiscordEmulator,
    db_path: Path,
    due: dict[int, datetime],
    now: datetime,
) -> None:
    """Compare the emulator's record with the SQLite file; problems go into the report."""
    problems = report.problems
    dm_owner = {c.id: uid for uid, c in emu.world.dm_channels.items()}
    sent = [m for m in emu.world.messages.values() if m.kind == "channel" and not m.deleted]
    per_user = Counter(dm_owner.get(m.channel_id) for m in sent)
    report.messages = len(sent)
    report.delivered_users = len(per_user)
    report.duplicates = sum(1 for n in per_user.values() if n > 1)
    report.lost = sum(1 for uid in due if per_user[uid] == 0)
    if report.duplicates:
        problems.append(f"{report.duplicates} users got more than one message")
    if report.lost:
        problems.append(f"{report.lost} users got no message")
    if set(per_user) - set(due):
        problems.append("messages to channels that belong to no seeded user")
    for message in sent:
        uid = dm_owner.get(message.channel_id)
        if uid is None:
            continue
        expected_late = now - due[uid] > LATE_AFTER
        labelled = has_late_note(message.embeds)
        report.late_labelled += labelled
        if labelled != expected_late:
            problems.append(f"user {uid}: late label {labelled}, expected {expected_late}")
            break
        if message.pinged_user_ids or message.pings_everyone or message.pinged_role_ids:
            problems.append(f"message {message.id} pings someone")
            break
    posts = emu.requests_to("POST", MESSAGES)
    report.deduplicated = sum(1 for r in posts if r.deduplicated)
    report.invalid_requests = sum(1 for r in emu.requests if r.status in INVALID)

    conn = sqlite3.connect(db_path)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        report.delivery_statuses = dict(
            conn.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall()
        )
        if report.delivery_statuses != {"sent": len(due)}:
            problems.append(f"delivery statuses {report.delivery_statuses}")
        doubled = conn.execute(
            "SELECT count(*) FROM (SELECT schedule_id, due_at FROM deliveries "
            "GROUP BY schedule_id, due_at HAVING count(*) > 1)"
        ).fetchone()[0]
        if doubled:
            problems.append(f"{doubled} (schedule, due time) pairs delivered twice")
        stored = {row[0] for row in conn.execute("SELECT message_id FROM deliveries")}
        if stored != {m.id for m in sent}:
            problems.append("message ids in the database differ from the messages sent")
        next_due = conn.execute("SELECT min(next_due) FROM schedules").fetchone()[0]
        if next_due is not None and next_due < int((now + timedelta(hours=23)).timestamp()):
            problems.append("a schedule was not advanced to the next day")
    finally:
        conn.close()


async def run_crash(
    reminders: int,
    seed: int,
    workdir: Path,
    *,
    kills: int = 1,
    within: float = 120,
) -> CrashReport:
    """One seeded run: seed, start, SIGKILL `kills` times at random points, finish, check."""
    rng = random.Random(seed)
    points = sorted(rng.sample(range(1, reminders), kills))
    report = CrashReport(seed=seed, reminders=reminders, kill_points=points)
    db_path = workdir / f"crash-{seed}.sqlite3"
    async with DiscordEmulator(validate=False) as emu:
        emu.global_rate_limit = 50  # Discord's global limit, enforced
        users = [emu.add_user(f"user{n}") for n in range(reminders)]
        await migrate(db_path)
        now = datetime.now(UTC)
        due = seed_reminders(db_path, emu, users, now, rng)
        env = bot_env(emu, db_path)
        started = time.perf_counter()
        seen = 0
        for run, point in enumerate(points):
            log = workdir / f"crash-{seed}-run{run}.log"
            async with bot_process(env, log) as process:
                await wait_for_messages(emu, point - seen, within)
                seen = point
                await kill(process)  # mid-burst: sends in flight, leases held
        final_log = workdir / f"crash-{seed}-run{len(points)}.log"
        async with bot_process(env, final_log) as process:
            await wait_for_messages(emu, reminders - seen, within)
            await wait_until_settled(emu, db_path, within)
            code = await stop(process)
        report.seconds = time.perf_counter() - started
        if code != 0:
            report.problems.append(f"the bot exited with {code} after SIGTERM")
        for run in range(1, len(points) + 1):
            text = (workdir / f"crash-{seed}-run{run}.log").read_text()
            if "Traceback" in text:
                report.problems.append(f"traceback in run {run}'s log")
            for line in text.splitlines():
                if "resending" in line and "interrupted" in line:
                    report.resent_after_restart += int(line.split("resending ")[1].split()[0])
        check(report, emu, db_path, due, now)
    return report


def table(reports: list[CrashReport]) -> str:
    lines = [
        "| seed | reminders | killed after messages | time | messages | duplicates | lost | "
        "resent after restart | deduplicated by nonce | late labelled | 401/403/429 | problems |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        lines.append(
            f"| {r.seed} | {r.reminders:,} | {', '.join(f'{p:,}' for p in r.kill_points)} | "
            f"{r.seconds:.1f} s | {r.messages:,} | {r.duplicates} | {r.lost} | "
            f"{r.resent_after_restart} | {r.deduplicated} | {r.late_labelled:,} | "
            f"{r.invalid_requests} | {'; '.join(r.problems) or 'none'} |"
        )
    return "\n".join(lines)


async def main_async(reminders: int, seeds: list[int], kills: int) -> list[CrashReport]:
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            reports.append(await run_crash(reminders, seed, Path(tmp), kills=kills, within=600))
    return reports


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs per seed")
    args = parser.parse_args()
    reports = asyncio.run(main_async(args.reminders, args.seeds, args.kills))
    print(table(reports))
    print(f"\nmachine: {machine()}")
    if any(r.problems for r in reports):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
