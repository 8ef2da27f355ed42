-- Tips each user was shown most recently, so "Another tip" avoids repeats across restarts.
-- One row per (user, tip): seeing a tip again re-inserts it, so `id` orders a user's rows by when
-- they were recorded (clocks of different processes may disagree; ids never go backwards). The
-- repository keeps only the newest few rows per user. Deleting the user deletes their history.
CREATE TABLE tip_views (
    id       {serial},
    user_id  {snowflake} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tip_id   TEXT NOT NULL,                      -- a slug from data/tips.toml (may be retired later)
    seen_at  {instant} NOT NULL,                   -- an instant (UTC)
    UNIQUE (user_id, tip_id)
);
CREATE INDEX tip_views_recent ON tip_views (user_id, id DESC);
