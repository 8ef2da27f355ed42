-- The reminder engine: schedules with an indexed next_due, and an outbox of deliveries.
-- Instants are {instant}: seconds since the Unix epoch (SQLite) or timestamptz (PostgreSQL).
CREATE TABLE schedules (
    id              {serial},
    user_id         {snowflake} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,              -- 'stretch', ...
    local_time      TEXT NOT NULL,              -- 'HH:MM' wall-clock time in `timezone`
    days_mask       INTEGER NOT NULL,           -- bit 0 = Monday ... bit 6 = Sunday
    timezone        TEXT NOT NULL,              -- IANA zone the local time is read in
    guild_id        {snowflake},                    -- set with channel_id when delivered in a server
    channel_id      {snowflake},                    -- NULL: by DM
    next_due        {instant},                    -- NULL while paused indefinitely
    paused_until    {instant},
    pause_reason    TEXT,                       -- 'user', 'dm_closed'
    notice          TEXT,                       -- told to the user at the next delivery
    created_at      {instant} NOT NULL,
    updated_at      {instant} NOT NULL,
    UNIQUE (user_id, kind)
);
CREATE INDEX schedules_next_due ON schedules (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX schedules_guild ON schedules (guild_id) WHERE guild_id IS NOT NULL;

CREATE TABLE deliveries (
    id              {serial},
    schedule_id     {snowflake} NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    user_id         {snowflake} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    due_at          {instant} NOT NULL,           -- when it should have gone out
    reason          TEXT NOT NULL,              -- 'scheduled', 'snooze', 'now'
    snoozed_from    {snowflake} UNIQUE REFERENCES deliveries(id) ON DELETE CASCADE,
    status          TEXT NOT NULL,              -- 'pending', 'sent', 'failed', 'skipped'
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {instant} NOT NULL,
    lease_until     {instant},                    -- a sender is working on it until then
    sent_at         {instant},
    channel_id      {snowflake},
    message_id      {snowflake},
    late_seconds    INTEGER,
    error           TEXT,
    done_at         {instant},                    -- the user pressed Done
    created_at      {instant} NOT NULL,
    UNIQUE (schedule_id, due_at, reason)
);
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_schedule ON deliveries (schedule_id, due_at);
CREATE INDEX deliveries_user ON deliveries (user_id);

-- DM channel ids Discord gave us, so each DM costs one request instead of two.
CREATE TABLE dm_channels (
    user_id     {snowflake} PRIMARY KEY,
    channel_id  {snowflake} NOT NULL
);
