"""Spark as another engine on a lakegraph lake: reads the graph tables and runs Iceberg's
table maintenance on them (rewrite_data_files, expire_snapshots), in one Spark session
that lives as long as this process, so the JVM starts once for a whole test.

usage: spark_maintenance.py [--rest <catalog uri>] [--hadoop <warehouse directory>]
       LAKEGRAPH_SPARK_JARS=<spark.jars, from infra/spark/setup>
The REST catalog is Spark catalog `rest` (its files in the S3 store the AWS variables
name, read and written through Iceberg's S3FileIO); the filesystem layout is Spark catalog
`hadoop` (Iceberg's HadoopCatalog: <warehouse>/graph/edges/metadata/v<N>.metadata.json and
version-hint.text). Reads commands from stdin, one a line, and answers each with one line
of JSON starting with {"reply":
  read <catalog>      graph.edges/graph.nodes aggregates as graph_aggregates.py gives them
                      (key, min(first_seen), max(last_seen), sum(event_count)), row counts,
                      and the rejected records
  rewrite <catalog>   CALL <catalog>.system.rewrite_data_files on graph.edges and graph.nodes
  expire <catalog>    CALL <catalog>.system.expire_snapshots on both, keeping only the current
                      snapshot (older_than now, retain_last 1)
  snapshots <catalog> each table's snapshots (id, parent, operation), oldest first
"""

import json
import os
import sys
from datetime import datetime, timezone

from pyspark.sql import SparkSession

EDGE_KEY = ["edge_type", "src_type", "src_id", "dst_type", "dst_id"]
NODE_KEY = ["node_type", "node_id"]
MAINTAINED = ("edges", "nodes")


def iceberg_catalog(kind, props):
    """Spark catalog `kind` (rest or hadoop) of Iceberg's SparkCatalog, with `props` under its prefix."""
    prefix = f"spark.sql.catalog.{kind}"
    # cache-enabled false: each command sees the commits lakegraph made since the last one.
    return {prefix: "org.apache.iceberg.spark.SparkCatalog", f"{prefix}.type": kind, f"{prefix}.cache-enabled": "false"} | {
        f"{prefix}.{key}": value for key, value in props.items()
    }


def catalog_settings(argv):
    settings = {}
    for flag, value in zip(argv[::2], argv[1::2]):
        if flag == "--rest":
            settings |= iceberg_catalog("rest", {
                "uri": value,
                "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
                "s3.endpoint": os.environ["AWS_ENDPOINT_URL_S3"],
                "s3.path-style-access": "true",
                "s3.access-key-id": os.environ["AWS_ACCESS_KEY_ID"],
                "s3.secret-access-key": os.environ["AWS_SECRET_ACCESS_KEY"],
                "client.region": os.environ.get("AWS_REGION", "us-east-1"),
            })
        elif flag == "--hadoop":
            settings |= iceberg_catalog("hadoop", {"warehouse": value})
        else:
            sys.exit(f"spark_maintenance.py: unknown flag {flag}; use --rest <uri> and/or --hadoop <warehouse>")
    return settings


def session(catalogs):
    # Spark otherwise picks a non-loopback interface when the hostname resolves to 127.0.0.1.
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    builder = SparkSession.builder.appName("lakegraph-spark-maintenance")
    for key, value in {
        # One local JVM on loopback only, no UI, jars from the local cache (no Ivy downloads).
        "spark.master": "local[1]",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.memory": "1g",
        # Small tables and a short life: the client compiler alone starts faster.
        "spark.driver.extraJavaOptions": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "1",
        "spark.jars": os.environ["LAKEGRAPH_SPARK_JARS"],
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        "spark.sql.session.timeZone": "UTC",
        **catalogs,
    }.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def rows(df):
    return [list(r) for r in df.collect()]


def read(spark, catalog):
    out = {}
    for name, key in (("edges", EDGE_KEY), ("nodes", NODE_KEY)):
        cols = ", ".join(key)
        grouped = rows(spark.sql(
            f"SELECT {cols}, unix_micros(min(first_seen)), unix_micros(max(last_seen)), sum(event_count), count(*) "
            f"FROM {catalog}.graph.{name} GROUP BY {cols} ORDER BY {cols}"))
        out[name] = [row[:-1] for row in grouped]
        out[f"{name}_rows"] = sum(row[-1] for row in grouped)
    out["rejected"] = rows(spark.sql(
        f"SELECT topic, `partition`, `offset`, reason FROM {catalog}.graph.rejected_events ORDER BY 1, 2, 3"))
    return out


def call(spark, sql):
    (row,) = spark.sql(sql).collect()
    return row.asDict()


def rewrite(spark, catalog):
    # rewrite-all: every file, however few or well sized (a test lake is small).
    return {name: call(spark, f"CALL {catalog}.system.rewrite_data_files(table => 'graph.{name}', options => map('rewrite-all', 'true'))")
            for name in MAINTAINED}


def expire(spark, catalog):
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return {name: call(spark, f"CALL {catalog}.system.expire_snapshots(table => 'graph.{name}', older_than => TIMESTAMP '{now}', retain_last => 1)")
            for name in MAINTAINED}


def snapshots(spark, catalog):
    return {name: rows(spark.sql(
        f"SELECT snapshot_id, parent_id, operation FROM {catalog}.graph.{name}.snapshots ORDER BY committed_at"))
        for name in MAINTAINED}


COMMANDS = {"read": read, "rewrite": rewrite, "expire": expire, "snapshots": snapshots}


def main():
    spark = session(catalog_settings(sys.argv[1:]))
    print(json.dumps({"reply": "ready"}), flush=True)
    for line in sys.stdin:
        command, catalog = line.split()
        print(json.dumps({"reply": COMMANDS[command](spark, catalog)}, default=str), flush=True)
    spark.stop()


main()
