-- Billing's ledger: what each delivery was charged, what was refunded against those charges, and the
-- deposits credited for returned bottles. Amounts are integer minor units (pence or cents).

-- A customer's region decides the time zone in which refunds and credits fall into a month.
create table customers (
  customer_id text primary key,
  region text not null check (region in ('UK', 'US'))
);

-- One charge per delivery: the unique delivery_id is what makes a re-sent DeliveryCompleted harmless.
create table charges (
  charge_id text primary key,
  delivery_id text not null unique,
  customer_id text not null,
  delivery_date date not null,
  amount_pence bigint not null check (amount_pence >= 0),
  charged_at timestamptz not null
);
create index charges_by_customer on charges (customer_id, delivery_date);

-- refunded_quantity counts the units already refunded, so no line is ever refunded beyond its charge.
create table charge_lines (
  charge_id text not null references charges (charge_id),
  line_number integer not null,
  sku text not null,
  quantity integer not null check (quantity > 0),
  unit_price_pence bigint not null check (unit_price_pence >= 0),
  total_pence bigint not null check (total_pence = quantity * unit_price_pence),
  refunded_quantity integer not null default 0 check (refunded_quantity between 0 and quantity),
  primary key (charge_id, line_number)
);

-- Every answer to a RefundRequested, issued or refused, so a repeated request gets the same answer.
create table refunds (
  refund_id text primary key,
  complaint_id text not null,
  customer_id text not null,
  delivery_id text not null,
  sku text not null,
  requested_quantity integer not null check (requested_quantity > 0),
  refunded_quantity integer not null check (refunded_quantity >= 0),
  amount_pence bigint not null check (amount_pence >= 0),
  refused_reason text,
  decided_at timestamptz not null
);
create index refunds_by_customer on refunds (customer_id, decided_at);

-- credit_id is the BottlesReturned returnId: a re-sent return credits once.
create table credits (
  credit_id text primary key,
  customer_id text not null,
  bottles integer not null check (bottles > 0),
  amount_pence bigint not null check (amount_pence >= 0),
  credited_at timestamptz not null
);
create index credits_by_customer on credits (customer_id, credited_at);
