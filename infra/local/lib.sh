# Shared by infra/local/up and infra/local/down: where things live, and process checks.
# Sourced, not run.

local_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$local_dir/../.." && pwd)"
state="$repo/.lakegraph/local"          # pids, logs, broker data, catalog db, warehouse
cache="$repo/.cache/local-services"     # jars fetched from Maven Central

kafka_port=9092
kafka_controller_port=9093
catalog_port=8181
kafka_pidfile="$state/kafka.pid"
catalog_pidfile="$state/rest-catalog.pid"
# The REST catalog puts new namespaces and tables under this directory and returns
# their locations; writers write where those say, so nothing else needs this path.
catalog_warehouse="$state/rest-warehouse"

kafka_main=kafka.Kafka
catalog_main=org.apache.iceberg.rest.LoopbackRESTCatalogServer

# The pid in $1 if that process is alive and still runs main class $2 (pids get reused).
running_pid() {
  local pidfile="$1" main="$2" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- " $main " || return 1
  echo "$pid"
}

# A zombie keeps its /proc entry but has an empty cmdline.
alive() {
  tr -d '\0' <"/proc/$1/cmdline" 2>/dev/null | grep -q .
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Serialises up/down runs by several people in one checkout.
lock_state() {
  mkdir -p "$state"
  exec 8>"$state/.lock"
  flock 8
}
