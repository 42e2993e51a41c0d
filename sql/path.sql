-- The shortest path between two nodes within `max_hops`, edges walked in either direction,
-- over edges whose aggregated last_seen is within the window. Breadth-first: each node is
-- reached once, at its smallest depth (USING KEY keeps one row per node). Returns the
-- path's edges in order; no rows when there is no path that short.
--   SET VARIABLE from_type = 'profile';  SET VARIABLE from_id = 'p-1-0';
--   SET VARIABLE to_type = 'profile';    SET VARIABLE to_id = 'p-9-1';
--   SET VARIABLE max_hops = 4;        -- unset: 6
--   SET VARIABLE since = now() - INTERVAL 1 DAY;   -- unset: all time
WITH RECURSIVE windowed AS (
    SELECT edge_type, src_type, src_id, dst_type, dst_id,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(event_count)::BIGINT AS event_count
    FROM edges
    GROUP BY ALL
    HAVING max(last_seen) >= coalesce(getvariable('since')::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ)
),
adjacent AS (
    SELECT src_type AS from_type, src_id AS from_id, dst_type AS to_type, dst_id AS to_id, w.* FROM windowed w
    UNION ALL
    SELECT dst_type, dst_id, src_type, src_id, w.* FROM windowed w
),
reach(node_type, node_id, depth, steps) USING KEY (node_type, node_id) AS (
    SELECT getvariable('from_type'), getvariable('from_id'), 0,
           []::STRUCT(edge_type VARCHAR, src_type VARCHAR, src_id VARCHAR, dst_type VARCHAR, dst_id VARCHAR,
                      first_seen TIMESTAMPTZ, last_seen TIMESTAMPTZ, event_count BIGINT, to_type VARCHAR, to_id VARCHAR)[]
    UNION
    (SELECT a.to_type, a.to_id, r.depth + 1,
            list_append(r.steps, {'edge_type': a.edge_type, 'src_type': a.src_type, 'src_id': a.src_id,
                                  'dst_type': a.dst_type, 'dst_id': a.dst_id, 'first_seen': a.first_seen,
                                  'last_seen': a.last_seen, 'event_count': a.event_count,
                                  'to_type': a.to_type, 'to_id': a.to_id})
     FROM reach r
     JOIN adjacent a ON a.from_type = r.node_type AND a.from_id = r.node_id
     WHERE r.depth < coalesce(getvariable('max_hops')::INTEGER, 6)
       AND NOT EXISTS (SELECT 1 FROM recurring.reach v WHERE v.node_type = a.to_type AND v.node_id = a.to_id)
       AND NOT EXISTS (SELECT 1 FROM recurring.reach v WHERE v.node_type = getvariable('to_type') AND v.node_id = getvariable('to_id'))
     QUALIFY row_number() OVER (PARTITION BY a.to_type, a.to_id ORDER BY a.from_type, a.from_id, a.edge_type) = 1)
),
found AS (
    SELECT steps FROM reach
    WHERE node_type = getvariable('to_type') AND node_id = getvariable('to_id') AND depth > 0
)
SELECT s.step, s.edge.edge_type, s.edge.src_type, s.edge.src_id, s.edge.dst_type, s.edge.dst_id,
       s.edge.first_seen, s.edge.last_seen, s.edge.event_count, s.edge.to_type, s.edge.to_id
FROM found, LATERAL (SELECT unnest(generate_series(1, len(found.steps))) AS step, unnest(found.steps) AS edge) s
ORDER BY s.step;
