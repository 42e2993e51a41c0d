-- How the graph grew in event time: per `bucket`, the nodes (by node_type) and edges (by
-- edge_type) first seen in it, and the running total. A node or edge is counted once, at
-- the min(first_seen) over all its rows.
--   SET VARIABLE bucket = INTERVAL 5 MINUTE;   -- unset: 1 minute
WITH node_births AS (
    SELECT 'node' AS kind, node_type AS type, min(first_seen) AS born
    FROM nodes
    GROUP BY node_type, node_id
),
edge_births AS (
    SELECT 'edge' AS kind, edge_type AS type, min(first_seen) AS born
    FROM edges
    GROUP BY edge_type, src_type, src_id, dst_type, dst_id
),
per_bucket AS (
    SELECT kind, type, time_bucket(coalesce(getvariable('bucket')::INTERVAL, INTERVAL 1 MINUTE), born) AS bucket_start, count(*) AS added
    FROM (SELECT * FROM node_births UNION ALL SELECT * FROM edge_births)
    GROUP BY ALL
)
SELECT kind, type, bucket_start, added,
       sum(added) OVER (PARTITION BY kind, type ORDER BY bucket_start)::BIGINT AS total
FROM per_bucket
ORDER BY kind, type, bucket_start;
