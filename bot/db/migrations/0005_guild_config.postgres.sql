-- Same schema as 0005_guild_config.sqlite.sql: Discord ids BIGINT, instants timestamptz. PostgreSQL can
-- drop NOT NULL in place, so schedules and deliveries are altered rather than rebuilt.
ALTER TABLE guild_settings
    ADD COLUMN tips_channel_id BIGINT,
    ADD COLUMN tips_time TEXT;

CREATE TABLE guild_config_audit (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id      BIGINT NOT NULL,
    moderator_id  BIGINT NOT NULL,
    setting       TEXT NOT NULL,
    old_value     TEXT,
    new_value     TEXT,
    changed_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX guild_config_audit_recent ON guild_config_audit (guild_id, id DESC);

CREATE TABLE guild_tip_posts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id     BIGINT NOT NULL,
    delivery_id  BIGINT NOT NULL UNIQUE,
    tip_id       TEXT NOT NULL,
    chosen_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX guild_tip_posts_recent ON guild_tip_posts (guild_id, id DESC);

-- user_id NULL: a schedule the server in guild_id owns, posting in channel_id.
ALTER TABLE schedules
    ALTER COLUMN user_id DROP NOT NULL,
    ADD CONSTRAINT schedules_owner
        CHECK (user_id IS NOT NULL OR (guild_id IS NOT NULL AND channel_id IS NOT NULL));
CREATE UNIQUE INDEX schedules_server_kind ON schedules (guild_id, kind) WHERE user_id IS NULL;
ALTER TABLE deliveries ALTER COLUMN user_id DROP NOT NULL;
