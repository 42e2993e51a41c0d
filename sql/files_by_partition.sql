-- Data files of the current snapshots per table and partition: how many, how big.
-- Needs a view `data_files(table_name, partition VARCHAR, file_size_in_bytes,
-- record_count)`, e.g. PyIceberg's `table.inspect.files()` per table.
SELECT table_name, partition,
       count(*) AS files,
       sum(record_count)::BIGINT AS records,
       sum(file_size_in_bytes)::BIGINT AS bytes,
       round(avg(file_size_in_bytes))::BIGINT AS avg_file_bytes
FROM data_files
GROUP BY table_name, partition
ORDER BY table_name, partition;
