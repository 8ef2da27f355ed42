"""Time zones and instants that make schedule tests interesting, shared by the tests that draw
them."""

from datetime import UTC, datetime

# Zones with DST in spring and autumn, a 30-minute DST (Lord Howe), DST at midnight (Havana), none
# (Kolkata), and the southern hemisphere (Auckland).
DST_ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Havana",
    "Asia/Kolkata",
    "Pacific/Auckland",
]

# Noon UTC two days before each 2026 clock change in the US and Europe: 8 and 29 March, 25 October
# and 1 November.
BEFORE_2026_CHANGES_IN_EUROPE_AND_THE_US = [
    datetime(2026, 3, 6, 12, tzinfo=UTC),
    datetime(2026, 3, 27, 12, tzinfo=UTC),
    datetime(2026, 10, 23, 12, tzinfo=UTC),
    datetime(2026, 10, 30, 12, tzinfo=UTC),
]
