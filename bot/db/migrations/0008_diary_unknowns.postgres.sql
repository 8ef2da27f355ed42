-- Same as 0008_diary_unknowns.sqlite.sql: unanswered diary questions are NULL (unknown), never 0, and
-- naps are new. Rows written before this keep their values (an old default 0 cannot be told from
-- a typed 0).
ALTER TABLE sleep_entries
    ALTER COLUMN sleep_latency_min DROP NOT NULL,
    ALTER COLUMN awakenings DROP NOT NULL,
    ALTER COLUMN awake_min DROP NOT NULL,
    ALTER COLUMN out_of_bed DROP NOT NULL,
    ALTER COLUMN rls_out_of_bed DROP NOT NULL,
    ALTER COLUMN rls_out_of_bed DROP DEFAULT,
    ADD COLUMN naps INTEGER,
    ADD COLUMN nap_min INTEGER;
