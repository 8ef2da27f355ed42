"""The person's own timezone, by which /sleep dates nights and /labs dates values."""

from __future__ import annotations

from bot.client import RlsBot
from bot.errors import UserError


async def profile_zone(bot: RlsBot, user_id: int, missing: str) -> str:
    """The zone in the person's profile; without one, `missing` (a message marked with N_,
    saying what the zone is needed for) answers them."""
    profile = await bot.repos.users.get(user_id)
    if profile is None or profile.timezone is None:
        raise UserError(missing)
    return profile.timezone
