-- The account whose profiles were active on the most devices and business lines since
-- `since`: a member whose journey is worth drawing. Ties go to the smaller account id.
--   SET VARIABLE since = TIMESTAMPTZ '1970-01-01 00:00:00+00';   -- all time
WITH profiles AS (
    SELECT DISTINCT src_id AS account_id, dst_id AS profile_id
    FROM edges
    WHERE edge_type = 'has_profile'
),
activity AS (
    SELECT p.account_id, e.edge_type, e.dst_id, e.source_topic, e.event_count
    FROM edges e
    JOIN profiles p ON e.src_type = 'profile' AND e.src_id = p.profile_id
    WHERE e.last_seen >= getvariable('since')
)
SELECT account_id,
       count(DISTINCT dst_id) FILTER (WHERE edge_type = 'used_device') AS devices,
       count(DISTINCT source_topic) AS business_lines,
       sum(event_count) FILTER (WHERE edge_type = 'used_device')::BIGINT AS events
FROM activity
GROUP BY account_id
ORDER BY devices * business_lines DESC, events DESC, account_id
LIMIT 1;
