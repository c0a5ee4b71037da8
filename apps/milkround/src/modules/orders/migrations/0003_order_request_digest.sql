-- The canonical form of the request that placed each order, digested, so that a request sent again
-- under the same client-chosen order id is told apart from a different order reusing the id.
-- Orders placed before this column existed have none, and are compared by customer and kind alone.
alter table orders add column request_digest text;
