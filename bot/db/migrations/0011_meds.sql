-- Medicines and doses (issue 20). A medicine is the person's own free text, kept as typed
-- (`name`) with the key names are matched by (`name_key`: case and spacing folded); its daily
-- reminders are schedules of kind 'med:<medicines.id>:<n>', one per time of day (the times are
-- kept here too, 'HH:MM,HH:MM', for /meds list and the report). /meds stop sets stopped_at and
-- keeps the row, so the doses keep their medicine; a stopped name can be added again.
-- Both tables are keyed by user_id, so /mydata export and delete find them.
CREATE TABLE medicines (
    id          {serial},
    user_id     {snowflake} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    times       TEXT NOT NULL,
    days_mask   INTEGER NOT NULL,                -- bit 0 = Monday ... bit 6 = Sunday
    created_at  {instant} NOT NULL,
    stopped_at  {instant},
    CHECK (length(name) BETWEEN 1 AND 60),
    CHECK (days_mask BETWEEN 1 AND 127)
);
CREATE UNIQUE INDEX medicines_active ON medicines (user_id, name_key) WHERE stopped_at IS NULL;

-- One answer per dose: taken (on a reminder's Taken button, or typed with /meds taken) at an
-- instant with the zone the person was in, or skipped (the reminder's Skipped button: no
-- taken_at). delivery_id names the reminder answered (the first of a snooze chain), UNIQUE so a
-- double tap, or Taken on both the reminder and its snooze, records one answer. It has no
-- foreign key: old deliveries are pruned, the doses are kept.
CREATE TABLE doses (
    id           {serial},
    user_id      {snowflake} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    medicine_id  {snowflake} NOT NULL REFERENCES medicines(id) ON DELETE CASCADE,
    source       TEXT NOT NULL,                   -- 'reminder', 'typed', 'skipped'
    taken_at     {instant},                         -- NULL when skipped
    timezone     TEXT NOT NULL,
    delivery_id  {snowflake} UNIQUE,
    created_at   {instant} NOT NULL,
    CHECK (source IN ('reminder', 'typed', 'skipped')),
    CHECK ((source = 'skipped') = (taken_at IS NULL))
);
CREATE INDEX doses_user_taken ON doses (user_id, taken_at);

-- Reminders that fire once (e.g. /labs add retest_in:) are ordinary schedules whose days_mask
-- carries bit 7 (128) beside the weekday of their one date: after it is claimed, next_due stays
-- NULL and the row is kept as done (bot/reminders/engine.py, ONCE). No schema change needed.
