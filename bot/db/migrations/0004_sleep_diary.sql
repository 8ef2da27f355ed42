-- The sleep diary: one row per user and night. A night is dated by the morning it ends in the
-- entry's zone ({day}: ISO date text or DATE). Clock times are {instant}s (UTC), and
-- `timezone` is the IANA zone they were given in, so local times can always be shown again.
CREATE TABLE sleep_entries (
    id                 {serial},
    user_id            {snowflake} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    night              {day} NOT NULL,             -- 'YYYY-MM-DD', the morning the night ends
    timezone           TEXT NOT NULL,
    into_bed           {instant} NOT NULL,
    tried_sleep        {instant} NOT NULL,
    sleep_latency_min  INTEGER NOT NULL,
    awakenings         INTEGER NOT NULL,
    awake_min          INTEGER NOT NULL,
    final_wake         {instant} NOT NULL,
    out_of_bed         {instant} NOT NULL,
    quality            INTEGER,                   -- 1..5, NULL when not given
    severity           INTEGER,                   -- RLS 0..10, NULL when not given
    rls_onset          {instant},
    rls_out_of_bed     INTEGER NOT NULL DEFAULT 0,
    tags               TEXT NOT NULL DEFAULT '',  -- comma-separated, sorted
    note               TEXT,
    created_at         {instant} NOT NULL,
    updated_at         {instant} NOT NULL,
    UNIQUE (user_id, night),
    CHECK (out_of_bed >= into_bed),
    CHECK (quality IS NULL OR quality BETWEEN 1 AND 5),
    CHECK (severity IS NULL OR severity BETWEEN 0 AND 10)
);
