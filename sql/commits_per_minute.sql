-- Commit rate: snapshots per table and operation in each `bucket` of wall-clock commit
-- time, with the records they added.
-- Needs the `snapshots` view described in snapshot_log.sql.
--   SET VARIABLE bucket = INTERVAL 10 SECOND;   -- unset: 1 minute
SELECT table_name, operation,
       time_bucket(coalesce(getvariable('bucket')::INTERVAL, INTERVAL 1 MINUTE), committed_at) AS bucket_start,
       count(*) AS commits,
       sum(coalesce(summary['added-records'], '0')::BIGINT)::BIGINT AS added_records
FROM snapshots
GROUP BY ALL
ORDER BY table_name, bucket_start, operation;
