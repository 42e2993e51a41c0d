-- Up to four hops out of a node, following edges from source to destination
-- (account → profile → title, ad → campaign). Each hop keeps, per node, at most `fanout`
-- edges (the most recent) among those within the window; an edge reached at several
-- depths is reported once, at the smallest. Hops are unrolled because k ≤ 4.
--   SET VARIABLE node_type = 'account';
--   SET VARIABLE node_id = 'a-17';
--   SET VARIABLE hops = 3;          -- 1..4; unset: 2
--   SET VARIABLE fanout = 20;         -- unset: 50
--   SET VARIABLE since = now() - INTERVAL 1 DAY;   -- unset: all time
WITH hop1 AS (
    SELECT 1 AS hop, edge_type, src_type, src_id, dst_type, dst_id,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(event_count)::BIGINT AS event_count
    FROM edges
    WHERE src_type = getvariable('node_type') AND src_id = getvariable('node_id')
    GROUP BY edge_type, src_type, src_id, dst_type, dst_id
    HAVING max(last_seen) >= coalesce(getvariable('since')::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ)
    QUALIFY row_number() OVER (PARTITION BY src_type, src_id ORDER BY max(last_seen) DESC, edge_type, dst_id) <= coalesce(getvariable('fanout')::INTEGER, 50)
),
hop2 AS (
    SELECT 2 AS hop, e.edge_type, e.src_type, e.src_id, e.dst_type, e.dst_id,
           min(e.first_seen) AS first_seen, max(e.last_seen) AS last_seen, sum(e.event_count)::BIGINT AS event_count
    FROM edges e SEMI JOIN hop1 f ON e.src_type = f.dst_type AND e.src_id = f.dst_id
    WHERE coalesce(getvariable('hops')::INTEGER, 2) >= 2
    GROUP BY e.edge_type, e.src_type, e.src_id, e.dst_type, e.dst_id
    HAVING max(e.last_seen) >= coalesce(getvariable('since')::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ)
    QUALIFY row_number() OVER (PARTITION BY e.src_type, e.src_id ORDER BY max(e.last_seen) DESC, e.edge_type, e.dst_id) <= coalesce(getvariable('fanout')::INTEGER, 50)
),
hop3 AS (
    SELECT 3 AS hop, e.edge_type, e.src_type, e.src_id, e.dst_type, e.dst_id,
           min(e.first_seen) AS first_seen, max(e.last_seen) AS last_seen, sum(e.event_count)::BIGINT AS event_count
    FROM edges e SEMI JOIN hop2 f ON e.src_type = f.dst_type AND e.src_id = f.dst_id
    WHERE coalesce(getvariable('hops')::INTEGER, 2) >= 3
    GROUP BY e.edge_type, e.src_type, e.src_id, e.dst_type, e.dst_id
    HAVING max(e.last_seen) >= coalesce(getvariable('since')::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ)
    QUALIFY row_number() OVER (PARTITION BY e.src_type, e.src_id ORDER BY max(e.last_seen) DESC, e.edge_type, e.dst_id) <= coalesce(getvariable('fanout')::INTEGER, 50)
),
hop4 AS (
    SELECT 4 AS hop, e.edge_type, e.src_type, e.src_id, e.dst_type, e.dst_id,
           min(e.first_seen) AS first_seen, max(e.last_seen) AS last_seen, sum(e.event_count)::BIGINT AS event_count
    FROM edges e SEMI JOIN hop3 f ON e.src_type = f.dst_type AND e.src_id = f.dst_id
    WHERE coalesce(getvariable('hops')::INTEGER, 2) >= 4
    GROUP BY e.edge_type, e.src_type, e.src_id, e.dst_type, e.dst_id
    HAVING max(e.last_seen) >= coalesce(getvariable('since')::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ)
    QUALIFY row_number() OVER (PARTITION BY e.src_type, e.src_id ORDER BY max(e.last_seen) DESC, e.edge_type, e.dst_id) <= coalesce(getvariable('fanout')::INTEGER, 50)
),
reached AS (
    SELECT * FROM hop1 UNION ALL SELECT * FROM hop2 UNION ALL SELECT * FROM hop3 UNION ALL SELECT * FROM hop4
)
SELECT min(hop) AS hop, edge_type, src_type, src_id, dst_type, dst_id, first_seen, last_seen, event_count
FROM reached
GROUP BY edge_type, src_type, src_id, dst_type, dst_id, first_seen, last_seen, event_count
ORDER BY hop, last_seen DESC, edge_type, src_id, dst_id;
