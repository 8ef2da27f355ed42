-- Same schema as sqlite/0003_tip_history: Discord ids BIGINT, instants timestamptz.
CREATE TABLE tip_views (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tip_id   TEXT NOT NULL,
    seen_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, tip_id)
);
CREATE INDEX tip_views_recent ON tip_views (user_id, id DESC);
