# Shared by infra/local/up and infra/local/down: where things live, and process checks.
# Sourced, not run.

# The defaults are the shared services of docs/CONTRACTS.md §5. A second, private set (a test that
# stops and restarts its own broker) takes its own state directory and ports from the
# environment: LAKEGRAPH_LOCAL_STATE, LAKEGRAPH_KAFKA_PORT, LAKEGRAPH_KAFKA_CONTROLLER_PORT,
# LAKEGRAPH_CATALOG_PORT, LAKEGRAPH_OBJECT_STORE_PORT. Its up/down calls then lock, start
# and stop only that set.

local_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$local_dir/../.." && pwd)"
state="${LAKEGRAPH_LOCAL_STATE:-$repo/.lakegraph/local}"   # pids, logs, broker data, catalog db, warehouse
cache="$repo/.cache/local-services"     # jars fetched from Maven Central, shared by every state dir

# The value of environment variable $1, or $2 when unset; exits 2 unless it is a TCP port.
port_setting() {
  local value="${!1:-$2}"
  [[ "$value" =~ ^[1-9][0-9]{0,4}$ && "$value" -le 65535 ]] \
    || { echo "infra/local: $1=\"$value\" is not a TCP port" >&2; exit 2; }
  echo "$value"
}
kafka_port="$(port_setting LAKEGRAPH_KAFKA_PORT 9092)" || exit
kafka_controller_port="$(port_setting LAKEGRAPH_KAFKA_CONTROLLER_PORT 9093)" || exit
catalog_port="$(port_setting LAKEGRAPH_CATALOG_PORT 8181)" || exit
object_store_port="$(port_setting LAKEGRAPH_OBJECT_STORE_PORT 9000)" || exit
[[ "$state" = /* ]] || { echo "infra/local: LAKEGRAPH_LOCAL_STATE=\"$state\" is not an absolute path" >&2; exit 2; }
# A private broker may take more: LAKEGRAPH_KAFKA_EXTRA_CONFIG names a file of broker
# properties appended to infra/local/kafka/server.properties (later keys win; the same
# @…@ placeholders), e.g. TLS and SASL listeners beside the plain one, which stays the one
# waited for; LAKEGRAPH_KAFKA_SCRAM_USERS holds SCRAM
# credentials made when its storage is formatted, one per line as `kafka-storage format
# --add-scram` takes them: SCRAM-SHA-512=[name=U,password=P].
kafka_extra_config="${LAKEGRAPH_KAFKA_EXTRA_CONFIG:-}"
kafka_scram_users="${LAKEGRAPH_KAFKA_SCRAM_USERS:-}"
kafka_pidfile="$state/kafka.pid"
catalog_pidfile="$state/rest-catalog.pid"
object_store_pidfile="$state/object-store.pid"
object_store_data="$state/object-store"   # one directory per bucket

# The object store's bucket and keys (docs/CONTRACTS.md §6). The REST catalog puts new namespaces
# and tables under its warehouse in that bucket and returns their locations; writers
# write where those say, so nothing else needs this location.
s3_bucket=lakegraph
s3_access_key=lakegraph
s3_secret_key=lakegraph-secret
s3_region=us-east-1
s3_endpoint="http://127.0.0.1:$object_store_port"
catalog_warehouse="s3://$s3_bucket/warehouse"

kafka_main=kafka.Kafka
catalog_main=org.apache.iceberg.rest.LoopbackRESTCatalogServer
object_store_main=org.gaul.s3proxy.Main

# Every service, in start order (the catalog writes metadata to the object store).
all_services=(kafka object-store rest-catalog)

# The AWS settings any S3 client needs for the local store (docs/CONTRACTS.md §6). The AWS SDKs'
# default request checksums are answered NotImplemented by S3Proxy, so they are asked
# for only where an operation requires one.
s3_client_env=(
  "AWS_ACCESS_KEY_ID=$s3_access_key"
  "AWS_SECRET_ACCESS_KEY=$s3_secret_key"
  "AWS_REGION=$s3_region"
  "AWS_ENDPOINT_URL_S3=$s3_endpoint"
  "AWS_REQUEST_CHECKSUM_CALCULATION=when_required"
  "AWS_RESPONSE_CHECKSUM_VALIDATION=when_required"
)

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

# Serialises up/down runs on one state dir by several people in one checkout.
lock_state() {
  mkdir -p "$state"
  exec 8>"$state/.lock"
  flock 8
}

# Runs "$@" in a subshell holding the cache lock (released when it ends): ups of
# different state dirs hold different state locks but fill the one jar cache.
with_cache_lock() {
  mkdir -p "$cache"
  (
    exec 9>"$cache/.lock"
    flock 9
    "$@"
  )
}

# Copies the runtime classpath that the pom at $2 (default infra/local/<$1>/pom.xml)
# describes into the cache and prints its directory; a pom change gives a new directory.
fetch_jars() {
  local pom="${2:-$local_dir/$1/pom.xml}" dir
  dir="$cache/$1-$(sha256sum "$pom" | cut -c1-16)"
  [[ -f "$dir/.complete" ]] || with_cache_lock copy_jars "$1" "$pom" "$dir" || exit
  echo "$dir"
}

# Under the cache lock; another caller may have filled the directory while this one waited.
copy_jars() {
  local name="$1" pom="$2" dir="$3"
  [[ ! -f "$dir/.complete" ]] || return 0
  echo "fetching $name jars from Maven Central (first run only)..." >&2
  rm -rf "$dir"
  mkdir -p "$dir"
  mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$dir/lib" >"$dir/mvn.log" 2>&1 \
    || { cat "$dir/mvn.log" >&2; echo "infra/local: could not fetch the $name jars" >&2; exit 1; }
  touch "$dir/.complete"
}
