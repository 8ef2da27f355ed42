-- Same schema as sqlite/0004_sleep_diary: the night is a DATE, clock times timestamptz with the
-- entry's IANA zone beside them.
CREATE TABLE sleep_entries (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id            BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    night              DATE NOT NULL,
    timezone           TEXT NOT NULL,
    into_bed           TIMESTAMPTZ NOT NULL,
    tried_sleep        TIMESTAMPTZ NOT NULL,
    sleep_latency_min  INTEGER NOT NULL,
    awakenings         INTEGER NOT NULL,
    awake_min          INTEGER NOT NULL,
    final_wake         TIMESTAMPTZ NOT NULL,
    out_of_bed         TIMESTAMPTZ NOT NULL,
    quality            INTEGER,
    severity           INTEGER,
    rls_onset          TIMESTAMPTZ,
    rls_out_of_bed     INTEGER NOT NULL DEFAULT 0,
    tags               TEXT NOT NULL DEFAULT '',
    note               TEXT,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, night),
    CHECK (out_of_bed >= into_bed),
    CHECK (quality IS NULL OR quality BETWEEN 1 AND 5),
    CHECK (severity IS NULL OR severity BETWEEN 0 AND 10)
);
