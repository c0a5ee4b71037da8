-- The slot that was live before the last switch: where `yard slots rollback` goes. Null when there
-- is none (a service never switched, or one whose rollback target was cleared). The check mirrors
-- parseDesiredState where SQL can say it: a slot name, and never the live slot (a rollback there
-- would change nothing); a previous slot not in slot_names is refused when the state is read.
alter table slot_services
  add column previous text,
  add constraint slot_services_previous_check
    check (previous ~ '^[a-z][a-z0-9-]{0,30}$' and previous <> live);
