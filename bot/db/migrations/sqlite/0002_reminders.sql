-- The reminder engine: schedules with an indexed next_due, and an outbox of deliveries.
-- Instants are INTEGER seconds since the Unix epoch, UTC.
CREATE TABLE schedules (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,              -- 'stretch', ...
    local_time      TEXT NOT NULL,              -- 'HH:MM' wall-clock time in `timezone`
    days_mask       INTEGER NOT NULL,           -- bit 0 = Monday ... bit 6 = Sunday
    timezone        TEXT NOT NULL,              -- IANA zone the local time is read in
    guild_id        INTEGER,                    -- set with channel_id when delivered in a server
    channel_id      INTEGER,                    -- NULL: by DM
    next_due        INTEGER,                    -- NULL while paused indefinitely
    paused_until    INTEGER,
    pause_reason    TEXT,                       -- 'user', 'dm_closed'
    notice          TEXT,                       -- told to the user at the next delivery
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (user_id, kind)
);
CREATE INDEX schedules_next_due ON schedules (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX schedules_guild ON schedules (guild_id) WHERE guild_id IS NOT NULL;

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    schedule_id     INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    due_at          INTEGER NOT NULL,           -- when it should have gone out
    reason          TEXT NOT NULL,              -- 'scheduled', 'snooze', 'now'
    snoozed_from    INTEGER UNIQUE REFERENCES deliveries(id) ON DELETE CASCADE,
    status          TEXT NOT NULL,              -- 'pending', 'sent', 'failed', 'skipped'
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,                    -- a sender is working on it until then
    sent_at         INTEGER,
    channel_id      INTEGER,
    message_id      INTEGER,
    late_seconds    INTEGER,
    error           TEXT,
    done_at         INTEGER,                    -- the user pressed Done
    created_at      INTEGER NOT NULL,
    UNIQUE (schedule_id, due_at, reason)
);
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_schedule ON deliveries (schedule_id, due_at);
CREATE INDEX deliveries_user ON deliveries (user_id);

-- DM channel ids Discord gave us, so each DM costs one request instead of two.
CREATE TABLE dm_channels (
    user_id     INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL
);
