"""/mydata: everything stored about you, to download or to delete."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import discord
from discord import app_commands

from bot.client import RlsBot
from bot.cooldowns import EXPORT_SECONDS, cooldown, per_user
from bot.db.mydata import ANONYMISED, Rows, json_ready
from bot.i18n import N_
from bot.interactions import ConfirmView, send_reply, translator_for
from bot.usecases import delete_my_data
from cogs._cog import BotCog

# One message carries at most 10 attachments: the JSON and up to 9 tables as CSV; with more
# tables than that, the CSVs travel together in one zip.
MAX_ATTACHMENTS = 10
CSV_ZIP = "my-data-csv.zip"


def export_files(user_id: int, rows: Rows, exported_at: str) -> list[tuple[str, bytes]]:
    """my-data.json with every table, plus one CSV per table that has rows."""
    rows = json_ready(rows)
    document = {
        "user_id": str(user_id),
        "exported_at": exported_at,
        "about": (
            "Everything rls-companion stores about you, one list per table. Ids are strings. "
            "Each instant is given twice: in seconds since 1970-01-01 UTC, and beside it "
            "(the same name ending in _iso) as ISO 8601 date and time with its UTC offset."
        ),
        "tables": rows,
    }
    files = [("my-data.json", json.dumps(document, indent=2, ensure_ascii=False).encode())]
    tables: list[tuple[str, bytes]] = []
    for table, table_rows in rows.items():
        if not table_rows:
            continue
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(table_rows[0]))
        writer.writeheader()
        writer.writerows(table_rows)
        tables.append((f"my-data-{table}.csv", buffer.getvalue().encode()))
    if len(files) + len(tables) <= MAX_ATTACHMENTS:
        return files + tables
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in tables:
            zipped.writestr(name, data)
    return [*files, (CSV_ZIP, archive.getvalue())]


class MyDataCog(BotCog):
    help_title = N_("Your data")

    group = app_commands.Group(
        name="mydata", description="Download or delete everything I store about you."
    )

    @group.command(
        name="export", description="Download everything I store about you (JSON and CSV)."
    )
    @cooldown(per_user("export", EXPORT_SECONDS))
    async def export(self, interaction: discord.Interaction[RlsBot]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        rows = await self.bot.repos.user_data.export(interaction.user.id)
        now = self.bot.clock.now().isoformat()
        files = export_files(interaction.user.id, rows, now)
        count = sum(len(r) for r in rows.values())
        tr = translator_for(interaction)
        await send_reply(
            interaction,
            tr.plural(
                count,
                "Here is everything I store about you: {count} record. Only you can see this "
                "message.",
                "Here is everything I store about you: {count} records. Only you can see this "
                "message.",
            ),
            files=[discord.File(io.BytesIO(data), name) for name, data in files],
        )

    @group.command(name="delete", description="Delete everything I store about you.")
    async def delete(self, interaction: discord.Interaction[RlsBot]) -> None:
        tr = translator_for(interaction)
        await send_reply(
            interaction,
            tr(
                "Delete **everything** I store about you: your timezone, reminders and their "
                "history, your medicines and their doses, your iron lab values and your whole "
                "sleep diary? This can't be undone (`/mydata export` first if you want a copy)."
            ),
            view=ConfirmView(
                interaction.user.id,
                labels=(tr("Delete everything"), tr("Keep my data")),
                on_confirm=self._delete_everything,
                cancelled=tr("Kept: nothing was deleted."),
                custom_ids=(
                    f"rls:mydata:delete:{interaction.user.id}",
                    f"rls:mydata:keep:{interaction.user.id}",
                ),
            ),
        )

    async def _delete_everything(self, interaction: discord.Interaction[Any]) -> str:
        deleted = await delete_my_data(self.bot.usecases, interaction.user.id)
        # Change-log entries of servers you moderated are kept without your id, not deleted.
        anonymised = sum(n for key, n in deleted.items() if key.endswith(ANONYMISED))
        total = sum(deleted.values()) - anonymised
        tr = translator_for(interaction)
        done = tr.plural(
            total,
            "Done: deleted {count} record about you (profile, reminders, sleep diary and the "
            "rest). Nothing of yours is left.",
            "Done: deleted {count} records about you (profile, reminders, sleep diary and the "
            "rest). Nothing of yours is left.",
        )
        if not anonymised:
            return done
        return (
            done
            + "\n"
            + tr.plural(
                anonymised,
                "{count} change in a server's settings log now says it was made by a member who "
                "has since deleted their data.",
                "{count} changes in servers' settings logs now say they were made by a member who "
                "has since deleted their data.",
            )
        )


async def setup(bot: RlsBot) -> None:
    await bot.add_cog(MyDataCog(bot))
