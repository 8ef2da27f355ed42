-- Same schema as sqlite/0002_reminders: instants timestamptz, Discord ids BIGINT.
CREATE TABLE schedules (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    local_time      TEXT NOT NULL,
    days_mask       INTEGER NOT NULL,
    timezone        TEXT NOT NULL,
    guild_id        BIGINT,
    channel_id      BIGINT,
    next_due        TIMESTAMPTZ,
    paused_until    TIMESTAMPTZ,
    pause_reason    TEXT,
    notice          TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, kind)
);
CREATE INDEX schedules_next_due ON schedules (next_due) WHERE next_due IS NOT NULL;
CREATE INDEX schedules_guild ON schedules (guild_id) WHERE guild_id IS NOT NULL;

CREATE TABLE deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schedule_id     BIGINT NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    due_at          TIMESTAMPTZ NOT NULL,
    reason          TEXT NOT NULL,
    snoozed_from    BIGINT UNIQUE REFERENCES deliveries(id) ON DELETE CASCADE,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_until     TIMESTAMPTZ,
    sent_at         TIMESTAMPTZ,
    channel_id      BIGINT,
    message_id      BIGINT,
    late_seconds    INTEGER,
    error           TEXT,
    done_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (schedule_id, due_at, reason)
);
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_schedule ON deliveries (schedule_id, due_at);
CREATE INDEX deliveries_user ON deliveries (user_id);

CREATE TABLE dm_channels (
    user_id     BIGINT PRIMARY KEY,
    channel_id  BIGINT NOT NULL
);
