"""Aggregates a lakegraph warehouse's graph tables with third-party readers, as JSON.

usage: graph_aggregates.py <warehouse>                      (a directory, or s3://bucket/prefix)
       graph_aggregates.py --rest <catalog uri> <namespace>    (tables through the REST catalog, files in S3)
For graph.edges and graph.nodes: the rows GROUP BY key with min(first_seen),
max(last_seen), sum(event_count) (docs/CONTRACTS.md §3); for graph.rejected_events: the
(topic, partition, offset, reason) of every row. Once through PyIceberg (StaticTable
from the latest metadata file, or the REST catalog) and once through DuckDB's
iceberg_scan (of the table directory, or of the metadata file the catalog names, over
httpfs when it is in object storage). Object storage is the one the AWS variables name
(duckdb_iceberg.s3_properties() and connect()).
"""

import json
import sys

from duckdb_iceberg import connect, s3_properties, static_table

REST = sys.argv[1] == "--rest"
warehouse = None if REST else sys.argv[1]
EDGE_KEY = ["edge_type", "src_type", "src_id", "dst_type", "dst_id"]
NODE_KEY = ["node_type", "node_id"]


def table_dir(name):
    return f"{warehouse}/graph/{name}"


def load_table(name):
    if REST:
        from pyiceberg.catalog.rest import RestCatalog

        return RestCatalog("lakegraph", uri=sys.argv[2], **s3_properties()).load_table(f"{sys.argv[3]}.{name}")
    return static_table(table_dir(name))


def aggregate_sql(source, key):
    cols = ", ".join(key)
    return (
        f"SELECT {cols}, epoch_us(min(first_seen)), epoch_us(max(last_seen)), sum(event_count)::BIGINT "
        f"FROM {source} GROUP BY {cols} ORDER BY {cols}"
    )


REJECTED_SQL = 'SELECT topic, "partition", "offset", reason FROM {} ORDER BY topic, "partition", "offset"'


def rows(result):
    return [list(r) for r in result]


def via_pyiceberg():
    """PyIceberg reads every row; pyarrow aggregates them (no DuckDB on this path)."""
    import pyarrow as pa

    out = {}
    for name, key in (("edges", EDGE_KEY), ("nodes", NODE_KEY)):
        table = load_table(name).scan().to_arrow()
        table = table.set_column(table.schema.get_field_index("first_seen"), "first_seen", table["first_seen"].cast(pa.int64()))
        table = table.set_column(table.schema.get_field_index("last_seen"), "last_seen", table["last_seen"].cast(pa.int64()))
        grouped = table.group_by(key).aggregate([("first_seen", "min"), ("last_seen", "max"), ("event_count", "sum")])
        grouped = grouped.sort_by([(k, "ascending") for k in key])
        columns = key + ["first_seen_min", "last_seen_max", "event_count_sum"]
        out[name] = [list(r) for r in zip(*(grouped[c].to_pylist() for c in columns))]
        out[f"{name}_rows"] = table.num_rows
    rejected = load_table("rejected_events").scan().to_arrow()
    rejected = rejected.sort_by([("topic", "ascending"), ("partition", "ascending"), ("offset", "ascending")])
    out["rejected"] = [list(r) for r in zip(*(rejected[c].to_pylist() for c in ("topic", "partition", "offset", "reason")))]
    return out


def iceberg_scan(name):
    source = load_table(name).metadata_location if REST else table_dir(name)
    return f"iceberg_scan('{source}')"


def via_duckdb_iceberg_scan():
    con = connect()
    out = {}
    for name, key in (("edges", EDGE_KEY), ("nodes", NODE_KEY)):
        scan = iceberg_scan(name)
        out[name] = rows(con.execute(aggregate_sql(scan, key)).fetchall())
        (out[f"{name}_rows"],) = con.execute(f"SELECT count(*) FROM {scan}").fetchone()
    out["rejected"] = rows(con.execute(REJECTED_SQL.format(iceberg_scan("rejected_events"))).fetchall())
    return out


print(json.dumps({"pyiceberg": via_pyiceberg(), "duckdb": via_duckdb_iceberg_scan()}))
