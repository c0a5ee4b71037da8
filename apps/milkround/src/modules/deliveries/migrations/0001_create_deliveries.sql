-- A run asks orders which customers a date needs and plans their deliveries. Several runs may plan one
-- date (the nightly run of each region, a manual re-run): they only ever add what is missing.
create table runs (
  run_id text primary key,
  delivery_date date not null,
  -- The regions whose orders this run plans; null: every region (a run nobody here started).
  regions text[],
  source text not null check (source in ('request', 'nightly', 'orders')),
  requested_at timestamptz not null,
  planned_at timestamptz,
  -- The date's plan for the run's regions once it was planned: deliveries and rounds, old and new.
  deliveries integer check (deliveries >= 0),
  rounds integer check (rounds >= 0)
);

create index runs_by_date on runs (delivery_date, requested_at);

-- A van's round: the stops of one area (a UK outward code, a US ZIP code) on one date, at most the
-- module's maximum per round; a busy area gets rounds 1, 2, 3...
create table rounds (
  round_id text primary key,
  delivery_date date not null,
  region text not null check (region in ('UK', 'US')),
  area text not null,
  number integer not null check (number >= 1),
  constraint rounds_one_number_per_area unique (delivery_date, region, area, number)
);

-- One delivery per customer per date, whatever number of runs plan the date: the unique constraint is
-- what makes a second run create nothing (inserts skip conflicts).
create table deliveries (
  delivery_id text primary key,
  delivery_date date not null,
  customer_id text not null,
  region text not null check (region in ('UK', 'US')),
  postcode text not null,
  -- The priced lines billing charges once the delivery is completed, as orders listed them.
  lines jsonb not null check (jsonb_typeof(lines) = 'array' and jsonb_array_length(lines) > 0),
  order_ids jsonb not null check (jsonb_typeof(order_ids) = 'array'),
  run_id text not null references runs (run_id),
  -- Set in the transaction that inserts the delivery, once the new stops of the run are laid out.
  round_id text references rounds (round_id),
  stop integer check (stop >= 1),
  created_at timestamptz not null,
  constraint deliveries_one_per_customer_and_date unique (delivery_date, customer_id)
);

create index deliveries_by_round on deliveries (round_id, stop);
