-- Trades that need a person, as the saga last reported them: a row while a trade is in an exception, gone
-- once it is booked or cancelled. The saga's own state is the truth; this is its list for people.
create table open_exceptions (
  trade_id text primary key,
  kind text not null,
  detail text not null,
  raised_at timestamptz not null
);

create index open_exceptions_raised on open_exceptions (raised_at, trade_id);
