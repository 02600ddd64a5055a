-- Delegate's own index (a physical deviation from Designate's schema, like
-- those of spec/storage.md §4): recovery looks for zones in ERROR, and in
-- PENDING for too long, by shard range, every few seconds; without it each
-- pass reads every live zone.
CREATE INDEX delegate_zone_status_shard ON zones (status, shard);
