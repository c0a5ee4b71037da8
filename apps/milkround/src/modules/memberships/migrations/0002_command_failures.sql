-- Accepted commands whose consumer failed for good (their message sits in an error queue), recorded from
-- the bus's Fault events so that the command's status resource answers "failed" instead of 404.
-- resource_id is what the status resource is asked by; command_id the command's own id.
create table command_failures (
  kind text not null,
  resource_id text not null,
  command_id text not null,
  message_id text not null,
  error_queue text not null,
  reason text not null,
  failed_at timestamptz not null,
  primary key (kind, resource_id, message_id, error_queue)
);
