"""Time zones that make schedule tests interesting, shared by the tests that draw them."""

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
