-- When someone stopped a kind of reminder (its schedule is deleted), so its status can say
-- "stopped on ..., /stretch remind starts them again" instead of "not set up yet".
CREATE TABLE stopped_reminders (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    stopped_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);
