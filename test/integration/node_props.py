"""Reads a graph.nodes table with third-party readers and prints, as JSON, what each sees of
`props_ts` and each device's props (docs/CONTRACTS.md §3).

usage: node_props.py <table location>                (a directory, or s3://bucket/prefix/graph/nodes)
       node_props.py --rest <catalog uri> <namespace.table>
PyIceberg: the field id of props_ts, the rows, how many have props but no props_ts (rows
written before the column existed), and per device
the props of its row with the greatest props_ts (null lowest, then the newest last_seen),
picked in plain Python; and how many devices the row with the newest last_seen would get
wrong (the rule before props_ts), so a test can tell that it exercised the difference.
DuckDB iceberg_scan: the columns, the same count, and the devices' props as
sql/device_props.sql gives them over that scan.
"""

import json
import sys
from pathlib import Path

import pyarrow as pa

from duckdb_iceberg import connect, s3_properties, static_table

REST = sys.argv[1] == "--rest"
SQL = (Path(__file__).resolve().parent.parent.parent / "sql" / "device_props.sql").read_text().strip().rstrip(";")


def load_table():
    if REST:
        from pyiceberg.catalog.rest import RestCatalog

        return RestCatalog("lakegraph", uri=sys.argv[2], **s3_properties()).load_table(sys.argv[3])
    return static_table(sys.argv[1])


def via_pyiceberg(table):
    rows = table.scan().to_arrow()
    for column in ("last_seen", "props_ts"):
        rows = rows.set_column(rows.schema.get_field_index(column), column, rows[column].cast(pa.int64()))
    best, newest_row = {}, {}
    without_ts = 0
    for row in rows.to_pylist():
        if row["props"] is not None and row["props_ts"] is None:
            without_ts += 1
        if row["node_type"] != "device" or row["props"] is None:
            continue
        device = row["node_id"]
        rank = (row["props_ts"] is not None, row["props_ts"] or 0, row["last_seen"])
        if device not in best or rank > best[device][0]:
            best[device] = (rank, [row["props"], row["props_ts"]])
        if device not in newest_row or row["last_seen"] > newest_row[device][0]:
            newest_row[device] = (row["last_seen"], row["props"])
    field = table.schema().find_field("props_ts")
    return {
        "field_id": field.field_id,
        "required": field.required,
        "rows": rows.num_rows,
        "props_without_ts": without_ts,
        "devices": {device: value for device, (_, value) in best.items()},
        "wrong_by_last_seen": sum(1 for device, (_, props) in newest_row.items() if props != best[device][1][0]),
    }


def via_duckdb(table):
    source = table.metadata_location if REST else sys.argv[1]
    con = connect()
    con.execute(f"CREATE VIEW nodes AS SELECT * FROM iceberg_scan('{source}')")
    devices = con.execute(f"SELECT device_id, props, epoch_us(props_ts) FROM ({SQL})").fetchall()
    (without_ts,) = con.execute("SELECT count(*) FILTER (WHERE props IS NOT NULL AND props_ts IS NULL) FROM nodes").fetchone()
    return {
        "columns": [name for (name, *_) in con.execute("DESCRIBE nodes").fetchall()],
        "props_without_ts": without_ts,
        "devices": {device: [props, props_ts] for device, props, props_ts in devices},
    }


table = load_table()
print(json.dumps({"pyiceberg": via_pyiceberg(table), "duckdb": via_duckdb(table)}))
