-- Moderator configuration (/config): the daily tip post, an audit of every change, and schedules
-- that belong to a server rather than to a member.
--
-- A server's daily tip runs on the reminder engine like any member's reminder, so schedules and
-- deliveries may now have no user: user_id NULL means the schedule belongs to the server in
-- guild_id and posts in channel_id. No placeholder users are created for it, so nothing of a
-- server ever appears in a member's data export.
--
-- SQLite cannot drop a NOT NULL constraint in place, so both tables are rebuilt. foreign_keys is ON
-- while this runs (the pragma cannot change inside a transaction), which decides the order:
--   * deliveries_new points at schedules_new, never at the old schedules, because dropping the old
--     schedules table deletes its rows first and ON DELETE CASCADE would follow any such reference;
--   * the old deliveries table is dropped before the old schedules table for the same reason;
--   * renaming schedules_new rewrites the reference in deliveries_new (SQLite >= 3.26), and
--     renaming deliveries_new rewrites its own snoozed_from reference.
-- Ids are copied, so delivery ids in buttons already sent keep working; indexes are recreated with
-- their old names once the old tables (and their indexes) are gone.

ALTER TABLE guild_settings ADD COLUMN tips_channel_id INTEGER;  -- the daily tip's channel; NULL: off
ALTER TABLE guild_settings ADD COLUMN tips_time TEXT;           -- 'HH:MM' in `timezone`; NULL: 17:00

-- Every change a moderator (or the bot itself, moderator_id 0) made to a server's settings.
-- Values are stored as text the way /config show needs them: channel ids, 'HH:MM', zone names.
CREATE TABLE guild_config_audit (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    moderator_id  INTEGER NOT NULL,            -- 0: the bot (e.g. a configured channel was deleted)
    setting       TEXT NOT NULL,               -- 'reminder_channel', 'tips_channel', 'tips_time', 'timezone'
    old_value     TEXT,                        -- NULL: not set
    new_value     TEXT,
    changed_at    INTEGER NOT NULL
);
CREATE INDEX guild_config_audit_recent ON guild_config_audit (guild_id, id DESC);

-- The tips recently posted in each server, so the daily post avoids repeats. One row per daily
-- delivery: a resend of the same delivery (after a crash or a retry) posts the same tip again.
CREATE TABLE guild_tip_posts (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    delivery_id  INTEGER NOT NULL UNIQUE,
    tip_id       TEXT NOT NULL,                -- a slug from data/tips.toml
    chosen_at    INTEGER NOT NULL
);
CREATE INDEX guild_tip_posts_recent ON guild_tip_posts (guild_id, id DESC);

CREATE TABLE schedules_new (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE,  -- NULL: the server's own
    kind            TEXT NOT NULL,
    local_time      TEXT NOT NULL,
    days_mask       INTEGER NOT NULL,
    timezone        TEXT NOT NULL,
    guild_id        INTEGER,
    channel_id      INTEGER,
    next_due        INTEGER,
    paused_until    INTEGER,
    pause_reason    TEXT,                       -- 'user', 'dm_closed', 'channel_unavailable'
    notice          TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (user_id, kind),
    -- A server's schedule has no DM to fall back to: it always names its server and channel.
    CHECK (user_id IS NOT NULL OR (guild_id IS NOT NULL AND channel_id IS NOT NULL))
);
INSERT INTO schedules_new (id, user_id, kind, local_time, days_mask, timezone, guild_id, channel_id,
                           next_due, paused_until, pause_reason, notice, created_at, updated_at)
SELECT id, user_id, kind, local_time, days_mask, timezone, guild_id, channel_id,
       next_due, paused_until, pause_reason, notice, created_at, updated_at
FROM schedules;

CREATE TABLE deliveries_new (
    id              INTEGER PRIMARY KEY,
    schedule_id     INTEGER NOT NULL REFERENCES schedules_new(id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE,  -- NULL for a server's post
    due_at          INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    snoozed_from    INTEGER UNIQUE REFERENCES deliveries_new(id) ON DELETE CASCADE,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    sent_at         INTEGER,
    channel_id      INTEGER,
    message_id      INTEGER,
    late_seconds    INTEGER,
    error           TEXT,
    done_at         INTEGER,
    created_at      INTEGER NOT NULL,
    UNIQUE (schedule_id, due_at, reason)
);
-- In id order: a snoozed delivery always comes after the one it was snoozed from.
INSERT INTO deliveries_new (id, schedule_id, user_id, due_at, reason, snoozed_from, status, attempts,
                            next_attempt_at, lease_until, sent_at, channel_id, message_id,
                            late_seconds, error, done_at, created_at)
SELECT id, schedule_id, user_id, due_at, reason, snoozed_from, status, attempts,
       next_attempt_at, lease_until, sent_at, channel_id, message_id,
       late_seconds, error, done_at, created_at
FROM deliveries ORDER BY id;

DROP TABLE deliveries;
DROP TABLE schedules;
ALTER TABLE schedules_new RENAME TO schedules;
ALTER TABLE deliveries_new RENAME TO deliveries;

CREATE INDEX schedules_next_due ON schedules (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX schedules_guild ON schedules (guild_id) WHERE guild_id IS NOT NULL;
-- One schedule of each kind per server (members' schedules are unique per user instead).
CREATE UNIQUE INDEX schedules_server_kind ON schedules (guild_id, kind) WHERE user_id IS NULL;
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_schedule ON deliveries (schedule_id, due_at);
CREATE INDEX deliveries_user ON deliveries (user_id);
