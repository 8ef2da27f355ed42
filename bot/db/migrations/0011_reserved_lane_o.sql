-- Placeholder on lane P's branch only: 0011 is reserved for lane O (see 0010). Delete this file
-- at merge (lane O's 0011 takes its place).
SELECT 1;
