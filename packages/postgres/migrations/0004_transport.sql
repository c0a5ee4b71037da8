-- The PostgreSQL transport: MassTransit's topology (fanout exchanges, queues, bindings) in tables.
create table yard_exchanges (
  name text primary key,
  role text not null,
  durable boolean not null,
  auto_delete boolean not null
);

create table yard_queues (
  name text primary key,
  role text not null,
  durable boolean not null,
  auto_delete boolean not null,
  queue_type text not null,
  -- A temporary (auto-delete) queue is kept alive by its consumer's heartbeat; a stale one is removed.
  last_seen_at timestamptz not null default now()
);

create table yard_bindings (
  source text not null,
  destination text not null,
  destination_type text not null check (destination_type in ('exchange', 'queue')),
  primary key (source, destination, destination_type)
);

-- Messages waiting in queues. The identity column is the queue order.
create table yard_messages (
  id bigint generated always as identity primary key,
  queue text not null,
  message_id text not null,
  correlation_id text,
  content_type text not null,
  body bytea not null,
  headers jsonb not null,
  enqueued_at timestamptz not null default now(),
  visible_at timestamptz not null,     -- not delivered before (delayed sends)
  lease_until timestamptz,             -- held by a consumer until then; returned when it passes
  lease_owner uuid,                    -- the consumer holding it, so only the holder settles it
  delivery_count integer not null default 0
);

-- The consumer's claim: the next visible, unleased messages of one queue, in order.
create index yard_messages_next on yard_messages (queue, id);
-- Finding leases that ran out (a consumer died) and delayed messages coming due.
create index yard_messages_visible on yard_messages (queue, visible_at);
