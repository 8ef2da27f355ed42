-- When the user was told (by a one-time notice on their next command) that the engine paused
-- this schedule by itself, e.g. because their DMs are closed. A pause made after it (updated_at
-- is later) is told again; NULL: never told.
ALTER TABLE schedules ADD COLUMN pause_told_at {instant};
-- The check made on every command reads only schedules waiting for such a notice.
CREATE INDEX schedules_untold_pause ON schedules (user_id)
    WHERE next_due IS NULL AND pause_reason IN ('dm_closed', 'unreadable');
