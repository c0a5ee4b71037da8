-- The capture store: what each environment sent during a run, grouped by key, and the comparisons made.
-- Rows are kept per run so that a run can be compared again later.

create table captured_messages (
  id bigserial primary key,
  run text not null,
  environment text not null check (environment in ('baseline', 'candidate', 'baseline-2')),
  message_id text not null,
  group_key text not null,
  correlation_id text,
  conversation_id text,
  message_type text not null,
  sent_time timestamptz not null,
  captured_at timestamptz not null,
  message jsonb,
  headers jsonb not null default '{}',
  -- A message delivered twice (a redelivery after a lost ack) is stored once.
  unique (run, environment, message_id)
);

-- messagesOf and the completion rule read one group's messages, never the whole run.
create index captured_messages_group on captured_messages (run, group_key, environment, message_type);

create table malformed_captures (
  id bigserial primary key,
  run text not null,
  environment text not null,
  -- sha-256 of the transport message id and the body: a redelivered malformed message is reported once.
  fingerprint text not null,
  transport_message_id text,
  -- The body as text, cut to a bound so that a huge unreadable message cannot fill the store.
  body text not null,
  body_bytes integer not null,
  reason text not null,
  captured_at timestamptz not null,
  unique (run, environment, fingerprint)
);

create table capture_groups (
  run text not null,
  group_key text not null,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  baseline_count integer not null default 0,
  baseline_first_at timestamptz,
  baseline_last_at timestamptz,
  candidate_count integer not null default 0,
  candidate_first_at timestamptz,
  candidate_last_at timestamptz,
  baseline2_count integer not null default 0,
  baseline2_first_at timestamptz,
  baseline2_last_at timestamptz,
  -- Set when a comparer claims the group as settled; cleared when the claim is released.
  claimed_at timestamptz,
  settled_reason text,
  primary key (run, group_key)
);

-- A settle pass looks only at the run's unclaimed groups, oldest first.
create index capture_groups_unclaimed on capture_groups (run, first_seen_at) where claimed_at is null;

create table comparison_results (
  seq bigserial primary key,
  run text not null,
  group_key text not null,
  reconciler text not null,
  outcome jsonb not null,
  -- outcome.kind when it has one, for the summary's counts by kind.
  outcome_kind text,
  compared_at timestamptz not null default now(),
  -- A comparison done twice (a comparer restarted after recording) is recorded once.
  unique (run, group_key, reconciler)
);

create index comparison_results_run on comparison_results (run, seq);
