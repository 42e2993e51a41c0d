-- The most watched titles: distinct events and distinct profiles per title.
-- Parameters (DuckDB variables):
--   SET VARIABLE top_n = 5;   -- unset: 10
SELECT dst_id AS title_id,
       sum(event_count)::BIGINT AS events,
       count(DISTINCT src_id) AS profiles,
       max(last_seen) AS last_seen
FROM edges
WHERE edge_type = 'watched'
GROUP BY dst_id
ORDER BY events DESC, title_id
LIMIT coalesce(getvariable('top_n')::BIGINT, 10);
