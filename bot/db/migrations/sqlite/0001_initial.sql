-- Instants are INTEGER seconds since the Unix epoch, UTC. Zones are IANA names.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,          -- Discord user id
    timezone    TEXT,                         -- IANA zone, NULL until the user sets one
    created_at  INTEGER NOT NULL
);

CREATE TABLE guild_settings (
    guild_id             INTEGER PRIMARY KEY,  -- Discord server id
    reminder_channel_id  INTEGER,              -- where members may receive stretch reminders
    timezone             TEXT,                 -- the server's zone for server-wide posts
    updated_at           INTEGER NOT NULL
);
