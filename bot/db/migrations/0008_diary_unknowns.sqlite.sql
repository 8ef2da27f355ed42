-- An unanswered diary question is unknown (NULL), never 0: minutes to fall asleep, awakenings,
-- minutes awake, out of bed and times RLS got someone up may now be NULL, and naps (count and
-- minutes, the day before the night) are new. Rows written before this keep their values: a 0
-- stored by the old default cannot be told apart from a 0 someone typed.
-- SQLite cannot drop NOT NULL in place, so the table is rebuilt (no other table refers to it).
CREATE TABLE sleep_entries_new (
    id                 INTEGER PRIMARY KEY,
    user_id            INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    night              TEXT NOT NULL,             -- 'YYYY-MM-DD', the day the main sleep ends
    timezone           TEXT NOT NULL,
    into_bed           INTEGER NOT NULL,
    tried_sleep        INTEGER NOT NULL,
    sleep_latency_min  INTEGER,                   -- NULL: not answered (from here on)
    awakenings         INTEGER,
    awake_min          INTEGER,
    final_wake         INTEGER NOT NULL,
    out_of_bed         INTEGER,
    quality            INTEGER,                   -- 1..5
    severity           INTEGER,                   -- RLS 0..10
    rls_onset          INTEGER,
    rls_out_of_bed     INTEGER,
    tags               TEXT NOT NULL DEFAULT '',  -- comma-separated, sorted
    note               TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    naps               INTEGER,                   -- naps the day before, outside total sleep
    nap_min            INTEGER,
    UNIQUE (user_id, night),
    CHECK (out_of_bed >= into_bed),
    CHECK (quality IS NULL OR quality BETWEEN 1 AND 5),
    CHECK (severity IS NULL OR severity BETWEEN 0 AND 10)
);
INSERT INTO sleep_entries_new (
    id, user_id, night, timezone, into_bed, tried_sleep, sleep_latency_min, awakenings,
    awake_min, final_wake, out_of_bed, quality, severity, rls_onset, rls_out_of_bed, tags, note,
    created_at, updated_at
)
SELECT
    id, user_id, night, timezone, into_bed, tried_sleep, sleep_latency_min, awakenings,
    awake_min, final_wake, out_of_bed, quality, severity, rls_onset, rls_out_of_bed, tags, note,
    created_at, updated_at
FROM sleep_entries;
DROP TABLE sleep_entries;
ALTER TABLE sleep_entries_new RENAME TO sleep_entries;
