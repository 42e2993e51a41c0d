"""DuckDB with the iceberg extension loaded from the venv's files, never from the network.

The duckdb-ext-* wheels install their extension files under
site-packages/duckdb_ext/extensions/v<duckdb version>/<platform>/, which is exactly
the layout DuckDB expects of an extension_directory. Pointing extension_directory
there and switching auto-install off makes LOAD resolve iceberg (and its avro
dependency) from those files only.

    from duckdb_iceberg import connect          # the venv has infra/python on its path
    con = connect()
    con.sql("SELECT count(*) FROM iceberg_scan('warehouse/graph/edges')")

The same directory works for the DuckDB CLI (.venv/bin/duckdb) and for
@duckdb/node-api 1.4.4:
    SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;
    SET extension_directory='<dir>'; LOAD iceberg;
`python -m duckdb_iceberg` prints that directory and the CLI path as JSON.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import duckdb
import duckdb_ext


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
    return con


def _paths() -> dict[str, str]:
    return {
        "python": sys.executable,
        "duckdb_cli": shutil.which("duckdb", path=str(Path(sys.executable).parent)) or "",
        "duckdb_extension_directory": extension_directory(),
        "duckdb_version": duckdb.__version__,
    }


if __name__ == "__main__":
    print(json.dumps(_paths()))
