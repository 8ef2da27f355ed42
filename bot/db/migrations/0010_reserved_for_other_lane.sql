-- PLACEHOLDER on lane R's branch only: version 0010 is reserved for another lane's migration.
-- Delete this file when merging (the other lane's 0010_*.sql takes its place).
SELECT 1;
