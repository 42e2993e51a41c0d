"""Another engine's writes to a graph edges table: PyIceberg, through the REST catalog,
appends rows in one data file, then deletes some of them again (a copy-on-write rewrite
of that file). Prints the snapshots it committed, oldest first, as JSON.

usage: foreign_edge_writes.py <catalog uri> <namespace.table> <changes JSON>
changes: {"append": [edge rows, times as epoch microseconds], "delete_where": [<column>, <value>]}

PyIceberg draws snapshot ids at random from 63 bits; here it draws until one is above
2^53 (as it does 1023 times in 1024), so the ids are surely beyond what a double holds.
Its writer partitions Arrow data with pyiceberg-core, which infra/python does not
install; the bucket and day transforms are applied value by value with PyIceberg's own
scalar transforms instead (the same results, slower).
"""

import json
import sys
from datetime import datetime, timezone

import pyarrow as pa
import pyiceberg.table.metadata as table_metadata
from duckdb_iceberg import s3_properties
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.expressions import EqualTo
from pyiceberg.transforms import BucketTransform, DayTransform

uri, identifier, changes = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

draw = table_metadata._generate_snapshot_id
table_metadata._generate_snapshot_id = lambda: next(i for i in iter(draw, None) if i > 2**53)


def pyarrow_transform_by_value(transform, source):
    apply = transform.transform(source)
    return lambda array: pa.array([apply(v) for v in array.to_pylist()], type=pa.int32())


BucketTransform.pyarrow_transform = pyarrow_transform_by_value
DayTransform.pyarrow_transform = pyarrow_transform_by_value

EDGE_SCHEMA = pa.schema([
    pa.field("edge_type", pa.string(), nullable=False),
    pa.field("src_type", pa.string(), nullable=False),
    pa.field("src_id", pa.string(), nullable=False),
    pa.field("dst_type", pa.string(), nullable=False),
    pa.field("dst_id", pa.string(), nullable=False),
    pa.field("first_seen", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("last_seen", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("event_count", pa.int64(), nullable=False),
    pa.field("source_topic", pa.string(), nullable=False),
])


def as_time(micros):
    return datetime.fromtimestamp(micros / 1_000_000, tz=timezone.utc)


rows = [{**row, "first_seen": as_time(row["first_seen"]), "last_seen": as_time(row["last_seen"])} for row in changes["append"]]
table = RestCatalog("foreign", uri=uri, **s3_properties()).load_table(identifier)
before = {s.snapshot_id for s in table.snapshots()}
table.append(pa.Table.from_pylist(rows, schema=EDGE_SCHEMA))
table.delete(EqualTo(*changes["delete_where"]))
table.refresh()
print(json.dumps([
    {"id": s.snapshot_id, "parent": s.parent_snapshot_id, "operation": s.summary.operation.value}
    for s in sorted(table.snapshots(), key=lambda s: s.sequence_number)
    if s.snapshot_id not in before
]))
