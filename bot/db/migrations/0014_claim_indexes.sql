-- Every claimed reminder inserts a delivery, and each index on deliveries is one more B-tree
-- insert per row (issue 19: the claim's INSERT was a third of a burst's tick). This one was
-- the leading two columns of UNIQUE (schedule_id, due_at, reason), whose index serves the same
-- lookups (a schedule's deliveries, newest first; its last claimed due time).
DROP INDEX deliveries_schedule;
