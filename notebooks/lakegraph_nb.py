"""What the analysis notebooks share: open a lakegraph warehouse the way a third party
would (DuckDB's iceberg_scan over each table's current snapshot, PyIceberg for snapshot
and file metadata), run the `sql/` query library against it, and keep account of the
figures and tables a notebook shows, so a headless run can be checked afterwards.

    lake = open_lake(".lakegraph/demo-warehouse")      # relative to the repo root
    top = lake.query("top_titles", top_n=10)            # sql/top_titles.sql

A lake in object storage opens the same way: `open_lake("s3://bucket/prefix")` (the
filesystem layout) or `open_lake("http://127.0.0.1:8181")` (the tables `graph.*` of an
Iceberg REST catalog), with the store the AWS variables name (infra/local/env).
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import duckdb
import matplotlib.pyplot as plt
import manimgx_fonts
import noto_cjk_sans_jp_regular
from matplotlib import font_manager
import pandas as pd
import pyarrow as pa
from IPython.display import display
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.table import Table

from duckdb_iceberg import connect, s3_properties, static_table

REPO_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = REPO_ROOT / "sql"
GRAPH_TABLES = ("edges", "nodes", "rejected_events")
_DATA_FILE_COLUMNS = ["partition", "file_path", "file_size_in_bytes", "record_count"]


def _use_fonts_with_every_glyph() -> None:
    """Generated ids hold CJK titles and emoji, which matplotlib's own DejaVu Sans lacks (it
    draws boxes). The fonts infra/python/requirements.txt installs are tried after it, glyph
    by glyph, and a glyph none of them has is an error, not a silent box."""
    fallbacks = [str(noto_cjk_sans_jp_regular.FONT_PATH), str(files(manimgx_fonts).joinpath("NotoEmoji[wght].ttf"))]
    for path in fallbacks:
        font_manager.fontManager.addfont(path)
    plt.rcParams["font.family"] = ["DejaVu Sans", *(font_manager.FontProperties(fname=path).get_name() for path in fallbacks)]
    warnings.filterwarnings("error", message="Glyph .* missing")


_use_fonts_with_every_glyph()


def repo_path(path: str | Path) -> Path:
    """An absolute path as is; a relative one against the repo root, as the CLI's defaults are."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _graph_tables(warehouse: str) -> dict[str, tuple[Table, str]]:
    """Each graph table, with the location DuckDB's iceberg_scan reads it from: a REST
    catalog's current metadata file, or a filesystem-layout table (directory or s3://)."""
    if warehouse.startswith(("http://", "https://")):
        catalog = RestCatalog("lakegraph", uri=warehouse, **s3_properties())
        tables = {name: catalog.load_table(f"graph.{name}") for name in GRAPH_TABLES}
        return {name: (table, table.metadata_location) for name, table in tables.items()}
    root = warehouse.rstrip("/") if warehouse.startswith("s3://") else str(repo_path(warehouse))
    opened = {}
    for name in GRAPH_TABLES:
        location = f"{root}/graph/{name}"
        try:
            opened[name] = (static_table(location), location)
        except FileNotFoundError as error:
            raise FileNotFoundError(
                f"{location} is not an Iceberg table (no metadata/version-hint.text); "
                "make a warehouse first, e.g. `npx lakegraph demo`"
            ) from error
    return opened


def _partition_label(partition: dict[str, Any]) -> str:
    return "/".join(f"{name}={value}" for name, value in partition.items())


@dataclass
class Lake:
    """One warehouse, opened read-only. `con` has views `edges`, `nodes`,
    `rejected_events` (the current snapshots), `snapshots` and `data_files`."""

    warehouse: str
    con: duckdb.DuckDBPyConnection
    tables: dict[str, Table]

    def query(self, name: str, **variables: Any) -> pd.DataFrame:
        """Runs sql/<name>.sql with its parameters bound as DuckDB variables (`None` unsets
        one: getvariable then yields NULL, which the library reads as "not given")."""
        for variable, value in variables.items():
            if not variable.isidentifier():
                raise ValueError(f"bad variable name {variable!r}")
            self.con.execute(f"SET VARIABLE {variable} = ?", [value])
        return self.con.sql((SQL_DIR / f"{name}.sql").read_text()).df()


def open_lake(warehouse: str | Path) -> Lake:
    """`warehouse`: a directory (absolute, or relative to the repo root), s3://bucket/prefix,
    or an Iceberg REST catalog's http(s):// URI."""
    con = connect()
    # Times in tables and figures read in UTC wherever the notebook runs.
    con.execute("SET TimeZone = 'UTC'")
    tables: dict[str, Table] = {}
    snapshots: list[pa.Table] = []
    files: list[pd.DataFrame] = []
    for name, (table, scan_location) in _graph_tables(str(warehouse)).items():
        tables[name] = table
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM iceberg_scan({_sql_literal(scan_location)})")
        table_snapshots = table.inspect.snapshots()
        snapshots.append(table_snapshots.append_column("table_name", pa.array([name] * table_snapshots.num_rows, pa.string())))
        table_files = table.inspect.files().select(_DATA_FILE_COLUMNS).to_pandas()
        table_files["partition"] = table_files["partition"].map(_partition_label)
        table_files.insert(0, "table_name", name)
        files.append(table_files)
    con.register("snapshots", pa.concat_tables(snapshots))
    con.register("data_files", pd.concat(files, ignore_index=True))
    return Lake(str(warehouse), con, tables)


@dataclass
class Report:
    """Shows figures and tables and remembers them: figures are saved as `<name>.png` under
    `figures_dir`; `finish()` writes the summary a headless run is checked against."""

    figures_dir: Path | None
    summary_path: Path | None
    figures: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)

    @classmethod
    def to(cls, figures_dir: str | None, summary_path: str | None) -> Report:
        return cls(repo_path(figures_dir) if figures_dir else None, repo_path(summary_path) if summary_path else None)

    def figure(self, fig: plt.Figure, name: str) -> None:
        if self.figures_dir is not None:
            self.figures_dir.mkdir(parents=True, exist_ok=True)
            fig.savefig(self.figures_dir / f"{name}.png", dpi=90, bbox_inches="tight")
        self.figures.append(name)
        display(fig)
        plt.close(fig)

    def table(self, frame: pd.DataFrame, name: str, show: int = 12) -> None:
        """Shows the first `show` rows; records how many there were."""
        self.tables[name] = len(frame)
        display(frame.head(show))

    def finish(self, **facts: Any) -> dict[str, Any]:
        summary = {"figures": self.figures, "tables": self.tables, **facts}
        if self.summary_path is not None:
            self.summary_path.parent.mkdir(parents=True, exist_ok=True)
            self.summary_path.write_text(json.dumps(summary, indent=1, default=str))
        return summary
