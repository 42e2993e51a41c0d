"""Loads a table through PyIceberg's REST catalog client and prints all its rows as JSON.

usage: lake_rest_pyiceberg.py <catalog uri> <namespace.table>
Timestamps are printed as epoch microseconds so they compare exactly with what was written.
"""

import json
import sys

import pyarrow as pa
from duckdb_iceberg import s3_properties
from pyiceberg.catalog.rest import RestCatalog

uri, identifier = sys.argv[1], sys.argv[2]
table = RestCatalog("lakegraph", uri=uri, **s3_properties()).load_table(identifier)
rows = table.scan().to_arrow()
as_micros = pa.schema([f.with_type(pa.int64()) if pa.types.is_timestamp(f.type) else f for f in rows.schema])
print(json.dumps({
    "currentSnapshotId": table.current_snapshot().snapshot_id,
    "snapshots": len(table.snapshots()),
    "rows": rows.cast(as_micros).to_pylist(),
}))
