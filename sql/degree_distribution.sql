-- Degree distribution per node type: how many nodes have each number of distinct
-- neighbours, counting edges in both directions (a title's degree is its audience, a
-- profile's is what it touched). Plot `degree` against `nodes` on log-log axes.
WITH edge_keys AS (
    SELECT DISTINCT src_type, src_id, dst_type, dst_id FROM edges
),
ends AS (
    SELECT src_type AS node_type, src_id AS node_id, dst_type AS other_type, dst_id AS other_id FROM edge_keys
    UNION
    SELECT dst_type, dst_id, src_type, src_id FROM edge_keys
),
degrees AS (
    SELECT node_type, node_id, count(*) AS degree FROM ends GROUP BY node_type, node_id
)
SELECT node_type, degree, count(*) AS nodes
FROM degrees
GROUP BY node_type, degree
ORDER BY node_type, degree;
