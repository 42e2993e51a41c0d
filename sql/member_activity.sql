-- Everything a member did within a window, across devices and business lines, newest first.
-- Edges whose source is the account or one of its profiles (the account's profiles are
-- every has_profile edge of the account, at any time), aggregated by edge key.
-- Parameters (DuckDB variables):
--   SET VARIABLE account_id = 'a-17';
--   SET VARIABLE since = TIMESTAMPTZ '2026-11-26 12:00:00+00';
WITH member_sources AS (
    SELECT 'account' AS src_type, getvariable('account_id') AS src_id
    UNION
    SELECT DISTINCT 'profile', dst_id
    FROM edges
    WHERE edge_type = 'has_profile' AND src_type = 'account' AND src_id = getvariable('account_id')
),
member_rows AS (
    SELECT e.*
    FROM edges e
    JOIN member_sources s ON e.src_type = s.src_type AND e.src_id = s.src_id
)
SELECT edge_type, src_type, src_id, dst_type, dst_id,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(event_count)::BIGINT AS event_count
FROM member_rows
GROUP BY edge_type, src_type, src_id, dst_type, dst_id
HAVING max(last_seen) >= getvariable('since')
ORDER BY last_seen DESC, edge_type, src_id, dst_id;
