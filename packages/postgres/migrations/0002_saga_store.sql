-- Saga instances: one row per live instance, replaced on every step under optimistic concurrency.
-- `keys` repeats the instance's correlation keys so that loading by id reads this one row; the
-- keys table below is what makes them unique and findable.
-- The fill factor leaves room on each page so that a step's update (no indexed column changes) can
-- be a HOT update, writing no new index entries.
create table yard_saga_instances (
  saga_type text not null,
  id text not null,
  state text not null,
  data jsonb not null,
  version integer not null check (version >= 1),
  keys jsonb not null check (jsonb_typeof(keys) = 'object'),
  constraint yard_saga_instances_pkey primary key (saga_type, id)
) with (fillfactor = 80);

-- Correlation keys: each (key, value) belongs to at most one instance of a saga type. The primary key
-- is the find-by-key lookup; it carries saga_id so that the lookup need not visit this table's rows.
create table yard_saga_keys (
  saga_type text not null,
  key_name text not null,
  key_value text not null,
  saga_id text not null,
  constraint yard_saga_keys_pkey primary key (saga_type, key_name, key_value) include (saga_id),
  -- Removing an instance frees its keys.
  constraint yard_saga_keys_instance foreign key (saga_type, saga_id)
    references yard_saga_instances (saga_type, id) on delete cascade
);

-- An instance's keys: replaced on update, deleted by the cascade on remove.
create index yard_saga_keys_by_instance on yard_saga_keys (saga_type, saga_id);

-- The audit trail: every transition, kept after the instance is removed (so no foreign key).
create table yard_saga_transitions (
  saga_type text not null,
  saga_id text not null,
  ordinal bigint generated always as identity, -- increases in the order transitions were recorded
  from_state text,                             -- null for the transition that created the instance
  to_state text not null,
  event text not null,
  message_id text,
  occurred_at timestamptz not null,
  -- One index serves both uniqueness and the timeline's scan of one instance, oldest first; a
  -- separate key on ordinal alone would cost every step a second index write.
  constraint yard_saga_transitions_pkey primary key (saga_type, saga_id, ordinal)
);
