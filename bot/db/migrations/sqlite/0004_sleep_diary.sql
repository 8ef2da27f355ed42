-- The sleep diary: one row per user and night. A night is dated by the morning it ends in the
-- entry's zone (ISO date text). Clock times are INTEGER seconds since the Unix epoch, UTC, and
-- `timezone` is the IANA zone they were given in, so local times can always be shown again.
CREATE TABLE sleep_entries (
    id                 INTEGER PRIMARY KEY,
    user_id            INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    night              TEXT NOT NULL,             -- 'YYYY-MM-DD', the morning the night ends
    timezone           TEXT NOT NULL,
    into_bed           INTEGER NOT NULL,
    tried_sleep        INTEGER NOT NULL,
    sleep_latency_min  INTEGER NOT NULL,
    awakenings         INTEGER NOT NULL,
    awake_min          INTEGER NOT NULL,
    final_wake         INTEGER NOT NULL,
    out_of_bed         INTEGER NOT NULL,
    quality            INTEGER,                   -- 1..5, NULL when not given
    severity           INTEGER,                   -- RLS 0..10, NULL when not given
    rls_onset          INTEGER,
    rls_out_of_bed     INTEGER NOT NULL DEFAULT 0,
    tags               TEXT NOT NULL DEFAULT '',  -- comma-separated, sorted
    note               TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (user_id, night),
    CHECK (out_of_bed >= into_bed),
    CHECK (quality IS NULL OR quality BETWEEN 1 AND 5),
    CHECK (severity IS NULL OR severity BETWEEN 0 AND 10)
);
