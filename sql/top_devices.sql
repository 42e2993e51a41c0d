-- The busiest devices: distinct events seen on each (over every profile that used it),
-- the profiles that used it and the business lines it appeared in.
--   SET VARIABLE top_n = 5;   -- unset: 10
SELECT dst_id AS device_id,
       sum(event_count)::BIGINT AS events,
       count(DISTINCT src_id) AS profiles,
       count(DISTINCT source_topic) AS business_lines,
       max(last_seen) AS last_seen
FROM edges
WHERE edge_type = 'used_device'
GROUP BY dst_id
ORDER BY events DESC, device_id
LIMIT coalesce(getvariable('top_n')::BIGINT, 10);
