-- The transactional outbox: messages a handler sends, stored in its transaction, delivered after commit.
create table yard_outbox (
  id uuid primary key,                 -- UUIDv7: increases in the order entries were added
  kind text not null check (kind in ('publish', 'send')),
  destination text not null,
  message_id text not null,
  correlation_id text,
  content_type text not null,
  body bytea not null,
  headers jsonb not null,
  delay_ms integer,
  conversation_id text,
  created_at timestamptz not null,
  lease_until timestamptz,             -- held by a dispatcher until then; claimable when null or past
  delivered_at timestamptz
);

-- The sweeper's scan: undelivered entries, oldest first.
create index yard_outbox_undelivered on yard_outbox (id) where delivered_at is null;
-- Order within a conversation: the earliest undelivered entry of each conversation.
create index yard_outbox_conversation on yard_outbox (conversation_id, id) where delivered_at is null;
-- Clean-up of delivered entries past their retention.
create index yard_outbox_delivered on yard_outbox (created_at) where delivered_at is not null;

-- The inbox: which consumer handled which message, recorded in the consumer's transaction.
create table yard_inbox (
  consumer text not null,
  message_id text not null,
  recorded_at timestamptz not null,
  primary key (consumer, message_id)
);

create index yard_inbox_recorded_at on yard_inbox (recorded_at);
