-- Iron labs (issue 20): one ferritin value, and optionally transferrin saturation, per user and
-- day of the blood test ({day}, the person's own day). Keyed by user_id so /mydata export and
-- delete find it. Values are floats on both backends (DOUBLE PRECISION is REAL in SQLite);
-- fasting is 1 yes, 0 no, NULL not said (an INTEGER, so both backends read it the same way).
CREATE TABLE lab_results (
    id          {serial},
    user_id     {snowflake} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    taken_on    {day} NOT NULL,
    ferritin    DOUBLE PRECISION NOT NULL,   -- ng/mL (= µg/L)
    tsat        DOUBLE PRECISION,            -- transferrin saturation, %
    fasting     INTEGER,
    note        TEXT,
    created_at  {instant} NOT NULL,
    updated_at  {instant} NOT NULL,
    UNIQUE (user_id, taken_on),
    CHECK (ferritin BETWEEN 1 AND 3000),
    CHECK (tsat IS NULL OR tsat BETWEEN 1 AND 100),
    CHECK (fasting IS NULL OR fasting IN (0, 1))
);
