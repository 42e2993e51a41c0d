-- What a member did within a window, across devices and business lines, newest first
-- (docs/CONTRACTS.md §4). Give exactly one of account_id / profile_id; leave the other unset.
--   account: edges whose source is the account or one of its profiles (every has_profile
--            edge of the account, at any time);
--   profile: edges whose source is the profile, plus the has_profile edge into it.
-- Edges are aggregated by key over all their rows; the window keeps an edge whose
-- aggregated last_seen is at or after `since`.
-- Parameters (DuckDB variables):
--   SET VARIABLE account_id = 'a-17';          -- or: SET VARIABLE profile_id = 'p-17-2';
--   SET VARIABLE since = now() - INTERVAL 1 HOUR;   -- unset: the last 5 minutes
WITH member_sources AS (
    SELECT 'account' AS src_type, getvariable('account_id') AS src_id
    WHERE getvariable('account_id') IS NOT NULL
    UNION
    SELECT 'profile', dst_id
    FROM edges
    WHERE edge_type = 'has_profile' AND src_type = 'account' AND src_id = getvariable('account_id')
    UNION
    SELECT 'profile', getvariable('profile_id')
    WHERE getvariable('profile_id') IS NOT NULL
),
member_rows AS (
    SELECT e.edge_type, e.src_type, e.src_id, e.dst_type, e.dst_id, e.first_seen, e.last_seen, e.event_count
    FROM edges e
    JOIN member_sources s ON e.src_type = s.src_type AND e.src_id = s.src_id
    UNION ALL
    SELECT edge_type, src_type, src_id, dst_type, dst_id, first_seen, last_seen, event_count
    FROM edges
    WHERE edge_type = 'has_profile' AND dst_type = 'profile' AND dst_id = getvariable('profile_id')
)
SELECT edge_type, src_type, src_id, dst_type, dst_id,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(event_count)::BIGINT AS event_count
FROM member_rows
GROUP BY edge_type, src_type, src_id, dst_type, dst_id
HAVING max(last_seen) >= coalesce(getvariable('since')::TIMESTAMPTZ, now() - INTERVAL 5 MINUTE)
ORDER BY last_seen DESC, edge_type, src_id, dst_id;
