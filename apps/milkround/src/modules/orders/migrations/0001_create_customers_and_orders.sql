-- What orders knows of each member, kept from the memberships events (never read from their tables).
create table customers (
  customer_id text primary key,
  name text not null,
  region text not null check (region in ('UK', 'US')),
  postcode text not null,
  discount_percent integer not null check (discount_percent between 0 and 100),
  status text not null check (status in ('active', 'paused', 'ended')),
  updated_at timestamptz not null
);

create table products (
  sku text primary key,
  name text not null
);

-- Minor units of the region's currency: pence in the UK, cents in the US.
create table product_prices (
  sku text not null references products (sku),
  region text not null check (region in ('UK', 'US')),
  unit_price integer not null check (unit_price > 0),
  primary key (sku, region)
);

create table orders (
  order_id text primary key,
  customer_id text not null,
  kind text not null check (kind in ('standing', 'one-off')),
  -- 'cancelled' by the customer; 'stopped' because the membership ended.
  status text not null check (status in ('open', 'cancelled', 'stopped')),
  -- Standing orders: the weekdays delivered, the first date delivered (the first still open when the
  -- order was placed) and, once cancelled or stopped, the first date no longer delivered. Keeping dates
  -- rather than a flag means listing a past date again gives the same answer.
  weekdays text[] check (weekdays <@ array['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] and cardinality(weekdays) > 0),
  starts_on date,
  ends_before date,
  -- One-off orders: the one date delivered.
  delivery_date date,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check (
    (kind = 'standing' and weekdays is not null and starts_on is not null and delivery_date is null)
    or (kind = 'one-off' and delivery_date is not null and weekdays is null and starts_on is null)
  )
);

create index orders_by_customer on orders (customer_id);
create index one_off_orders_by_date on orders (delivery_date) where kind = 'one-off';

-- Prices are fixed when the order is placed or amended, with the member's discount applied.
create table order_lines (
  order_id text not null references orders (order_id) on delete cascade,
  sku text not null references products (sku),
  quantity integer not null check (quantity > 0),
  unit_price integer not null check (unit_price >= 0),
  primary key (order_id, sku)
);
