-- Replay reads one environment's captures of a run in the order they were captured, a page at a time.
create index captured_messages_in_capture_order on captured_messages (run, environment, id);
