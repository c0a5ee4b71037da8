-- The plans are reference data every install offers, not demo data, so the migration seeds them.
create table plans (
  plan text primary key,
  description text not null,
  discount_percent integer not null check (discount_percent between 0 and 100)
);

insert into plans (plan, description, discount_percent) values
  ('basic', 'Doorstep delivery at list prices', 0),
  ('plus', '10% off every item', 10),
  ('family', '15% off every item', 15);

-- One row per customer: the current (or last) membership. Only the memberships endpoint's consumer
-- writes it, so joining, renewing and lapsing are decided one at a time per customer.
create table members (
  customer_id text primary key,
  -- A new id for every join: the renewal saga of an ended membership can never touch a later one.
  membership_id text not null unique,
  name text not null,
  region text not null check (region in ('UK', 'US')),
  postcode text not null,
  plan text not null references plans (plan),
  -- The plan's discount when the member joined: a later change of the plan's price leaves them as they were.
  discount_percent integer not null check (discount_percent between 0 and 100),
  status text not null check (status in ('active', 'paused', 'ended')),
  joined_at timestamptz not null,
  period_ends_at timestamptz not null,
  -- Set while the period has ended unpaid and the member may still renew.
  grace_ends_at timestamptz,
  ended_at timestamptz,
  ended_reason text check (ended_reason in ('cancelled', 'lapsed')),
  updated_at timestamptz not null
);
