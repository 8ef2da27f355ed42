-- Same schema as sqlite/0007_stopped_reminders: when someone stopped a kind of reminder.
CREATE TABLE stopped_reminders (
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    stopped_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, kind)
);
