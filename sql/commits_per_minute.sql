-- Commit rate: snapshots per table and operation in each `bucket` of wall-clock commit
-- time, with the records they added.
-- Needs the `snapshots` view described in snapshot_log.sql.
--   SET VARIABLE bucket = INTERVAL 1 MINUTE;
SELECT table_name, operation,
       time_bucket(getvariable('bucket'), committed_at) AS bucket_start,
       count(*) AS commits,
       sum(coalesce(summary['added-records'], '0')::BIGINT)::BIGINT AS added_records
FROM snapshots
GROUP BY ALL
ORDER BY table_name, bucket_start, operation;
