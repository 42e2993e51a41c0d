-- Every snapshot of every table with the numbers its summary records, oldest first.
-- Needs a view `snapshots(table_name, snapshot_id, committed_at, operation,
-- summary MAP(VARCHAR, VARCHAR))`, e.g. PyIceberg's `table.inspect.snapshots()` per table.
SELECT table_name, snapshot_id, committed_at, operation,
       coalesce(summary['added-records'], '0')::BIGINT AS added_records,
       coalesce(summary['deleted-records'], '0')::BIGINT AS deleted_records,
       coalesce(summary['added-data-files'], '0')::BIGINT AS added_files,
       coalesce(summary['deleted-data-files'], '0')::BIGINT AS deleted_files,
       summary['total-records']::BIGINT AS total_records,
       summary['total-data-files']::BIGINT AS total_files,
       summary['total-files-size']::BIGINT AS total_bytes
FROM snapshots
ORDER BY table_name, committed_at;
