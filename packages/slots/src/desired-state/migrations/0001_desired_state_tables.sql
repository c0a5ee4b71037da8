-- Desired state: which slot is live per service. The checks mirror the rules parseDesiredState
-- applies, where SQL can say them, so a hand-written statement that breaks one fails at once;
-- the rest (a live slot that is not in slot_names, a service not in the application) is refused
-- when the state is read.

-- The slot names, in the order shown. Empty means the defaults (blue, green).
create table slot_names (
  name text primary key check (name ~ '^[a-z][a-z0-9-]{0,30}$'),
  position int not null unique
);

create table slot_services (
  service text primary key check (service <> ''),
  live text not null check (live ~ '^[a-z][a-z0-9-]{0,30}$'),
  canary_slot text check (canary_slot ~ '^[a-z][a-z0-9-]{0,30}$' and canary_slot <> live),
  canary_percent int check (canary_percent between 1 and 99),
  -- Slot → version, each a non-empty string.
  versions jsonb not null default '{}' check (
    jsonb_typeof(versions) = 'object'
    and not jsonb_path_exists(versions, '$.* ? (@.type() != "string" || @ == "")')
  ),
  updated_at timestamptz not null default now(),
  -- A canary is a slot and a share together, or nothing.
  check ((canary_slot is null) = (canary_percent is null))
);
