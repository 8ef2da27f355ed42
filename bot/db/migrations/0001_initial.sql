-- Instants are {instant}: epoch seconds (SQLite) or timestamptz (PostgreSQL). Zones are IANA
-- names. Discord ids are {snowflake} (64-bit integers).
CREATE TABLE users (
    id          {snowflake} PRIMARY KEY,          -- Discord user id
    timezone    TEXT,                         -- IANA zone, NULL until the user sets one
    created_at  {instant} NOT NULL
);

CREATE TABLE guild_settings (
    guild_id             {snowflake} PRIMARY KEY,  -- Discord server id
    reminder_channel_id  {snowflake},              -- where members may receive stretch reminders
    timezone             TEXT,                 -- the server's zone for server-wide posts
    updated_at           {instant} NOT NULL
);
