-- Booking's journal: one row per client reference, written and committed before a posting is sent and
-- again after it is answered, in short transactions of their own (no transaction is open while the core
-- is called). The core is not idempotent, so this row is what tells a posting never sent from one that may
-- have been booked (sending, in-doubt): those are enquired about before anything is sent again.
create table posting_journal (
  client_ref text primary key,
  trade_id text not null,
  allocation_id text not null,
  posting jsonb not null,
  state text not null check (state in ('new', 'not-sent', 'sending', 'in-doubt', 'booked', 'rejected')),
  -- Set while one handler works on the reference (sends, or enquires): others try later. A process that
  -- dies leaves it to expire.
  claimed_until timestamptz,
  -- Attempts to send: a second one follows only a refusal that booked nothing (the core closed, not
  -- reached) or an enquiry that found the earlier send not booked.
  attempts integer not null default 0,
  enquiries integer not null default 0,
  last_sent_at timestamptz,
  core_sequence integer,
  business_date date,
  rejection text,
  updated_at timestamptz not null default now()
);

create index posting_journal_trade on posting_journal (trade_id);
