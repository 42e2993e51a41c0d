-- One account's device usage as stored, row by row: every `used_device` row of the
-- account's profiles and every `logged_in_from` row of the account. A row covers one
-- flush window of one topic (until compaction merges windows), so [first_seen, last_seen]
-- is when that business line saw the member on that device, at row granularity; the
-- graph keeps no per-event device for content edges.
--   SET VARIABLE account_id = 'a-17';
WITH profiles AS (
    SELECT DISTINCT dst_id AS profile_id
    FROM edges
    WHERE edge_type = 'has_profile' AND src_type = 'account' AND src_id = getvariable('account_id')
)
SELECT e.dst_id AS device_id, e.edge_type, e.src_id, e.source_topic,
       e.first_seen, e.last_seen, e.event_count
FROM edges e
WHERE e.dst_type = 'device'
  AND ((e.edge_type = 'used_device' AND e.src_type = 'profile' AND e.src_id IN (SELECT profile_id FROM profiles))
       OR (e.edge_type = 'logged_in_from' AND e.src_type = 'account' AND e.src_id = getvariable('account_id')))
ORDER BY device_id, first_seen, source_topic;
