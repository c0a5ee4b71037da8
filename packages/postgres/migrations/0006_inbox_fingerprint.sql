-- What each inbox record handled, so a message that reuses another's id is told from a duplicate.
-- Records made before this migration have none, and count as duplicates of any message with their id.
alter table yard_inbox add column fingerprint text;
