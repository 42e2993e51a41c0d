"""Reads a lakegraph table with third-party Iceberg readers and prints what they saw as JSON.

usage: lake_readers.py <table dir or s3:// location> <src_id to filter on>
PyIceberg opens the table from its latest metadata file (StaticTable); DuckDB's iceberg
extension resolves it through version-hint.text, as docs/CONTRACTS.md §3 promises.
"""

import json
import sys

import pyarrow.compute as pc
from duckdb_iceberg import connect, static_table
from pyiceberg.expressions import EqualTo

table_dir, src_id = sys.argv[1], sys.argv[2]

table = static_table(table_dir)
rows = table.scan().to_arrow()
micros = lambda column, agg: agg(rows.column(column).cast("int64")).as_py()
pyiceberg = {
    "rows": rows.num_rows,
    "eventCount": pc.sum(rows.column("event_count")).as_py(),
    "distinctSrc": pc.count_distinct(rows.column("src_id")).as_py(),
    "minFirstSeenMicros": micros("first_seen", pc.min),
    "maxLastSeenMicros": micros("last_seen", pc.max),
    "filteredRows": table.scan(row_filter=EqualTo("src_id", src_id)).to_arrow().num_rows,
    "filteredFiles": len(list(table.scan(row_filter=EqualTo("src_id", src_id)).plan_files())),
    "snapshots": len(table.snapshots()),
    "currentOperation": table.current_snapshot().summary.operation.value,
    "currentSummary": table.current_snapshot().summary.additional_properties,
}

con = connect()
scan = f"iceberg_scan('{table_dir}')"
count, events, distinct, first, last = con.sql(
    f"SELECT count(*), sum(event_count), count(DISTINCT src_id), epoch_us(min(first_seen)), epoch_us(max(last_seen)) FROM {scan}"
).fetchone()
(filtered,) = con.execute(f"SELECT count(*) FROM {scan} WHERE src_id = ?", [src_id]).fetchone()
duckdb = {
    "rows": count,
    "eventCount": int(events),
    "distinctSrc": distinct,
    "minFirstSeenMicros": first,
    "maxLastSeenMicros": last,
    "filteredRows": filtered,
}

print(json.dumps({"pyiceberg": pyiceberg, "duckdb": duckdb}))
