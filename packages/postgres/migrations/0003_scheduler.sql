-- Scheduled messages (saga timeouts, scheduled sends): one row per message not yet delivered, holding
-- the outgoing message as the outbox stores one. A row is deleted once its delivery succeeded.
create table yard_scheduled (
  id text primary key,                 -- chosen by the caller; scheduling the same id again replaces the row
  due_at timestamptz not null,
  kind text not null check (kind in ('publish', 'send')),
  destination text not null,
  message_id text not null,
  correlation_id text,
  content_type text not null,
  body bytea not null,
  headers jsonb not null,
  delay_ms integer,
  conversation_id text,
  -- Not claimable before then: held by a delivery in progress, or waiting to retry after a failed one.
  lease_until timestamptz,
  -- Set while a delivery holds the row: it removes or releases only the row it claimed, not one
  -- scheduled anew under the same id meanwhile. A row with a token and a live lease cannot be cancelled.
  claim_token uuid,
  attempts integer not null default 0 check (attempts >= 0)
);

-- "Due and not leased, soonest first": a row may be claimed once both its due time and any lease
-- have passed (greatest ignores a null lease). Claims and the poller's next wake-up read this index.
create index yard_scheduled_next_attempt on yard_scheduled ((greatest(due_at, lease_until)));
