-- The daily tip's channel and time live in its schedule row (kind 'server_tip', user_id NULL): the
-- one source of truth the engine runs on, saved in the same transaction as the audited settings.
-- The copies in guild_settings have been neither read nor written since then; drop them so they
-- cannot drift again. One shared file: SQLite has had ALTER TABLE ... DROP COLUMN since 3.35
-- (2021), the same release as the RETURNING this code already needs; neither column is indexed,
-- constrained or referenced, so SQLite drops it in place without a table rebuild.
ALTER TABLE guild_settings DROP COLUMN tips_channel_id;
ALTER TABLE guild_settings DROP COLUMN tips_time;
