-- One hop around a node: every edge into or out of it, optionally of one edge type,
-- aggregated by key and kept when its last_seen is within the window; newest first.
-- "Which devices did this account use in the last 30 days":
--   SET VARIABLE node_type = 'account';
--   SET VARIABLE node_id = 'a-17';
--   SET VARIABLE edge_type = 'logged_in_from';   -- leave unset for every edge type
--   SET VARIABLE since = now() - INTERVAL 30 DAY;   -- unset: all time
SELECT edge_type, src_type, src_id, dst_type, dst_id,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(event_count)::BIGINT AS event_count
FROM edges
WHERE ((src_type = getvariable('node_type') AND src_id = getvariable('node_id'))
       OR (dst_type = getvariable('node_type') AND dst_id = getvariable('node_id')))
  AND (getvariable('edge_type') IS NULL OR edge_type = getvariable('edge_type'))
GROUP BY edge_type, src_type, src_id, dst_type, dst_id
HAVING max(last_seen) >= coalesce(getvariable('since')::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ)
ORDER BY last_seen DESC, edge_type, src_id, dst_id;
