-- Placeholder so this branch's 0011 applies: number 0010 belongs to lane N's migration, which
-- replaces this file when the branches merge (delete this file then).
SELECT 1;
