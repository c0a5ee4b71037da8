-- Outbox leases get an owner: a token minted per add or claim. Only its holder may renew or release the
-- lease, so a dispatcher whose lease ran out cannot free or extend what another one took over.
alter table yard_outbox add column lease_owner uuid;
