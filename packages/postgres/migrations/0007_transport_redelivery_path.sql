-- The queue whose own redelivery path enqueued a message: written only by the transport's redelivery
-- send, never from a header, so the bus can tell its own redelivery state from a producer's copy.
alter table yard_messages add column redelivery_for text;
-- Deliveries that ended in a requeue (settled, so not held against the delivery limit): the limit
-- counts delivery_count - requeue_count, the deliveries a consumer went away holding.
alter table yard_messages add column requeue_count integer not null default 0;
