-- What each compaction (`replace` snapshot) did to its table: data files, bytes and
-- records right before it (its parent's totals) and after it. No rows when no
-- compaction has run.
-- Needs the `snapshots` view described in snapshot_log.sql.
WITH totals AS (
    SELECT table_name, committed_at, operation,
           summary['total-data-files']::BIGINT AS files,
           summary['total-files-size']::BIGINT AS bytes,
           summary['total-records']::BIGINT AS records
    FROM snapshots
),
with_previous AS (
    SELECT *,
           lag(files) OVER w AS files_before,
           lag(bytes) OVER w AS bytes_before,
           lag(records) OVER w AS records_before
    FROM totals
    WINDOW w AS (PARTITION BY table_name ORDER BY committed_at)
)
SELECT table_name, committed_at,
       files_before, files AS files_after,
       bytes_before, bytes AS bytes_after,
       records_before, records AS records_after,
       round(bytes_before / nullif(files_before, 0))::BIGINT AS avg_file_bytes_before,
       round(bytes / nullif(files, 0))::BIGINT AS avg_file_bytes_after
FROM with_previous
WHERE operation = 'replace'
ORDER BY table_name, committed_at;
