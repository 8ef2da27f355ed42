-- Which sender holds a delivery's lease, so a sender whose lease ran out (and was taken
-- over) notices before sending, instead of sending a second copy.
ALTER TABLE deliveries ADD COLUMN lease_owner TEXT;
