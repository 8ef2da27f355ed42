-- The language a person's Discord client uses, from their latest interaction (Discord's locale
-- code, e.g. 'de', 'en-US'), so reminders sent without an interaction speak it too. Written only
-- when it changes; NULL: not known yet (English).
ALTER TABLE users ADD COLUMN locale TEXT;
-- The server's preferred language (Discord's guild_locale), from the latest /config: the daily tip
-- post and other server posts use it. NULL: not known yet (English).
ALTER TABLE guild_settings ADD COLUMN locale TEXT;
