-- How each trade last ended, for counts and throughput: booked (at a version) or cancelled. The saga's
-- state is the truth; this is its summary for people and for the benchmark.
create table trade_outcomes (
  trade_id text primary key,
  outcome text not null check (outcome in ('booked', 'cancelled')),
  version integer not null,
  postings integer not null,
  decided_at timestamptz not null
);

create index trade_outcomes_decided on trade_outcomes (decided_at);
