-- The account whose profiles were active on the most devices and business lines since
-- `since`: a member whose journey is worth drawing. Members seen on at least two devices
-- and in at least two business lines come first; ties go to the smaller account id.
--   SET VARIABLE since = now() - INTERVAL 5 MINUTE;   -- unset: all time
WITH profiles AS (
    SELECT DISTINCT src_id AS account_id, dst_id AS profile_id
    FROM edges
    WHERE edge_type = 'has_profile'
),
activity AS (
    SELECT p.account_id, e.edge_type, e.dst_id, e.source_topic, e.event_count
    FROM edges e
    JOIN profiles p ON e.src_type = 'profile' AND e.src_id = p.profile_id
    WHERE e.last_seen >= coalesce(getvariable('since')::TIMESTAMPTZ, '-infinity'::TIMESTAMPTZ)
)
SELECT account_id,
       count(DISTINCT dst_id) FILTER (WHERE edge_type = 'used_device') AS devices,
       count(DISTINCT source_topic) AS business_lines,
       string_agg(DISTINCT source_topic, ', ' ORDER BY source_topic) AS topics,
       sum(event_count) FILTER (WHERE edge_type = 'used_device')::BIGINT AS events
FROM activity
GROUP BY account_id
ORDER BY (devices >= 2 AND business_lines >= 2) DESC, devices * business_lines DESC, events DESC, account_id
LIMIT 1;
