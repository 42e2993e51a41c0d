-- Dedup effectiveness per topic: records consumed → rejected → accepted deliveries →
-- distinct events → edge rows written → distinct edges.
-- Needs, besides `edges`, `nodes` and `rejected_events`, a view `snapshots(table_name,
-- committed_at, operation, summary MAP(VARCHAR, VARCHAR))` of the tables' snapshots
-- (notebooks build it from PyIceberg's `table.inspect.snapshots()`).
--   consumed:   sum over partitions of the next offset in the current graph.edges
--               snapshot's `lakegraph.offsets.<topic>` summary entry (topics start at 0);
--   distinct events: every accepted event names exactly one account, so the account
--               nodes' event_count sums to the events that survived dedup.
WITH current_offsets AS (
    SELECT summary
    FROM snapshots
    WHERE table_name = 'edges'
    ORDER BY committed_at DESC
    LIMIT 1
),
-- Materialized so the key filter runs before json_each: other summary values are not JSON.
offset_entries AS MATERIALIZED (
    SELECT e.key, e.value
    FROM current_offsets,
         LATERAL (SELECT unnest(map_entries(summary), recursive := true)) e
    WHERE e.key LIKE 'lakegraph.offsets.%'
),
consumed AS (
    SELECT replace(e.key, 'lakegraph.offsets.', '') AS topic,
           sum(p.value::BIGINT)::BIGINT AS consumed
    FROM offset_entries e, LATERAL json_each(e.value) p
    GROUP BY ALL
),
rejected AS (
    SELECT topic, count(*) AS rejected FROM rejected_events GROUP BY topic
),
distinct_events AS (
    SELECT source_topic AS topic, sum(event_count)::BIGINT AS distinct_events
    FROM nodes WHERE node_type = 'account' GROUP BY source_topic
),
edge_rows AS (
    SELECT source_topic AS topic, count(*) AS edge_rows,
           count(DISTINCT (edge_type, src_type, src_id, dst_type, dst_id)) AS distinct_edges
    FROM edges GROUP BY source_topic
)
SELECT c.topic,
       c.consumed,
       coalesce(r.rejected, 0) AS rejected,
       c.consumed - coalesce(r.rejected, 0) AS accepted,
       coalesce(d.distinct_events, 0) AS distinct_events,
       c.consumed - coalesce(r.rejected, 0) - coalesce(d.distinct_events, 0) AS duplicates,
       coalesce(x.edge_rows, 0) AS edge_rows,
       coalesce(x.distinct_edges, 0) AS distinct_edges
FROM consumed c
LEFT JOIN rejected r USING (topic)
LEFT JOIN distinct_events d USING (topic)
LEFT JOIN edge_rows x USING (topic)
ORDER BY c.consumed DESC, c.topic;
