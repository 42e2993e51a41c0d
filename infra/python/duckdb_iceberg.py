"""DuckDB with the iceberg extension loaded from the venv's files, never from the network.

The duckdb-ext-* wheels install their extension files under
site-packages/duckdb_ext/extensions/v<duckdb version>/<platform>/, which is exactly
the layout DuckDB expects of an extension_directory. Pointing extension_directory
there and switching auto-install off makes LOAD resolve iceberg (and its avro
dependency) from those files only.

    from duckdb_iceberg import connect          # the venv has infra/python on its path
    con = connect()
    con.sql("SELECT count(*) FROM iceberg_scan('warehouse/graph/edges')")

When the environment points at an S3-compatible store (AWS_ENDPOINT_URL_S3 or
AWS_ENDPOINT_URL, as `infra/local/env` exports), connect() also loads httpfs and adds
an S3 secret from the AWS variables, so `iceberg_scan('s3://…')` and
`read_parquet('s3://…')` read the lake there; s3_properties() gives PyIceberg the same,
and static_table() opens a filesystem-layout table (a directory or an s3:// prefix) with it.

The same directory works for the DuckDB CLI (.venv/bin/duckdb) and for
@duckdb/node-api 1.4.4:
    SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;
    SET extension_directory='<dir>'; LOAD iceberg;
`python -m duckdb_iceberg` prints that directory and the CLI path as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import duckdb_ext
from pyiceberg.io import load_file_io
from pyiceberg.table import StaticTable


def extension_directory() -> str:
    """The extension_directory holding the pip-installed DuckDB extension files."""
    # duckdb_ext is a namespace package (no __init__), so it has a path but no file.
    return str(Path(next(iter(duckdb_ext.__path__))) / "extensions")


def connect(database: str = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with iceberg loaded offline; fails if the files are missing."""
    con = duckdb.connect(
        database,
        read_only=read_only,
        config={
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
            "extension_directory": extension_directory(),
        },
    )
    con.execute("LOAD iceberg")
    endpoint = _s3_endpoint()
    if endpoint is not None:
        con.execute("LOAD httpfs")
        url = urlparse(endpoint)
        settings = {
            "KEY_ID": _sql_string(os.environ.get("AWS_ACCESS_KEY_ID", "")),
            "SECRET": _sql_string(os.environ.get("AWS_SECRET_ACCESS_KEY", "")),
            "REGION": _sql_string(_s3_region()),
            "ENDPOINT": _sql_string(url.netloc),
            "URL_STYLE": "'path'",
            "USE_SSL": "true" if url.scheme == "https" else "false",
        }
        con.execute(f"CREATE OR REPLACE SECRET lakegraph_s3 (TYPE s3, {', '.join(f'{k} {v}' for k, v in settings.items())})")
    return con


def s3_properties() -> dict[str, str]:
    """PyIceberg FileIO properties for the store the AWS environment names (empty without one)."""
    endpoint = _s3_endpoint()
    if endpoint is None:
        return {}
    return {
        "s3.endpoint": endpoint,
        "s3.access-key-id": os.environ.get("AWS_ACCESS_KEY_ID", ""),
        "s3.secret-access-key": os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
        "s3.region": _s3_region(),
        "s3.force-virtual-addressing": "false",
    }


def static_table(table_location: str) -> StaticTable:
    """The filesystem-layout table at `table_location` (a directory or s3://bucket/prefix),
    read-only at the version its metadata/version-hint.text names. The hint is read through
    PyIceberg's FileIO, so object storage works like a directory; FileNotFoundError without one."""
    metadata = f"{table_location.rstrip('/')}/metadata"
    properties = s3_properties()
    with load_file_io(properties, metadata).new_input(f"{metadata}/version-hint.text").open() as hint:
        version = hint.read().decode().strip()
    return StaticTable.from_metadata(f"{metadata}/v{version}.metadata.json", properties=properties)


def _s3_endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")


def _s3_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _paths() -> dict[str, str]:
    return {
        "python": sys.executable,
        "duckdb_cli": shutil.which("duckdb", path=str(Path(sys.executable).parent)) or "",
        "duckdb_extension_directory": extension_directory(),
        "duckdb_version": duckdb.__version__,
    }


if __name__ == "__main__":
    print(json.dumps(_paths()))
