-- Same schema as sqlite/0001: Discord ids are BIGINT, instants timestamptz, zones IANA names.
CREATE TABLE users (
    id          BIGINT PRIMARY KEY,
    timezone    TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE guild_settings (
    guild_id             BIGINT PRIMARY KEY,
    reminder_channel_id  BIGINT,
    timezone             TEXT,
    updated_at           TIMESTAMPTZ NOT NULL
);
