-- Issue 20: where symptoms were felt and how long at rest before they started, for the
-- augmentation watch and the report; and which reminders follow the symptom onset (time:auto).
--
-- body_regions is a sorted comma list of bot.clinical.nights.REGIONS, like `tags`: NULL is "not
-- answered" (every night logged before this migration reads so), '' is "no symptoms anywhere",
-- 'arms,legs' two regions. A comma list rather than a table of its own: the set is small and
-- closed (four words, never a comma in one), it is read with the rest of the night in the same
-- row (/sleep stats reads 56 nights for the watch in one statement), and NULL vs '' keeps
-- unknown apart from none, which a child table (no rows = unknown or none?) could not.
ALTER TABLE sleep_entries ADD COLUMN body_regions TEXT;
-- Minutes at rest before symptoms started; NULL: not answered.
ALTER TABLE sleep_entries ADD COLUMN rest_min INTEGER
    CHECK (rest_min IS NULL OR rest_min BETWEEN 0 AND 1440);
-- A reminder whose daily time follows the person's symptom onset (`/stretch remind time:auto`):
-- `before_min` minutes before the median onset of recent nights (bot.clinical.autotime). A row
-- here means "auto"; a typed time deletes it. Its own small table, keyed by user_id (so
-- /mydata finds it) and kind, rather than a column of schedules: the reminder engine's tables
-- stay as they are, and the schedule keeps holding the time actually in force.
CREATE TABLE auto_times (
    user_id     {snowflake} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    before_min  INTEGER NOT NULL CHECK (before_min BETWEEN 0 AND 240),
    updated_at  {instant} NOT NULL,
    PRIMARY KEY (user_id, kind)
);
