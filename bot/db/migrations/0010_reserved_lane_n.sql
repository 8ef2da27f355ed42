-- Placeholder on lane P's branch only: 0010 is reserved for lane N, 0011 for lane O, and the
-- history may not have gaps. Delete this file at merge (lane N's 0010 takes its place).
SELECT 1;
