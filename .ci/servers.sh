# shellcheck shell=bash
# Servers CI starts for itself beside the machine's PostgreSQL and Redis: a
# 3-master Redis Cluster, a Redis master watched by one Sentinel, and PgBouncer
# in transaction mode in front of PostgreSQL. Sourced by .ci/run (which defines
# log and die); also usable by hand:
#   source .ci/servers.sh; start_redis_cluster; …; stop_ci_servers
# Every server gets its own directory under CI_SERVERS_DIR and listens on
# 127.0.0.1 only. A server already answering on one of these ports is left over
# from an earlier run (the ports are this CI's): it is shut down first.

CI_SERVERS_DIR=${CI_SERVERS_DIR:-/tmp/complaintbot-ci-servers}
CLUSTER_PORTS=(7000 7001 7002)
SENTINEL_MASTER_PORT=18401
SENTINEL_REPLICA_PORT=18402
SENTINEL_PORT=26379
SENTINEL_MASTER_NAME=cbmaster
PGBOUNCER_PORT=6432

declare -f log >/dev/null || log() { printf '\n== %s\n' "$*"; }
declare -f die >/dev/null || die() { printf 'ci: %s\n' "$*" >&2; exit 1; }

# wait_for runs the command until it succeeds, for up to 30 s.
wait_for() {
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  return 1
}

# stop_redis_port shuts down the Redis or Sentinel answering on port, if any.
stop_redis_port() {
  local port=$1
  if redis-cli -p "$port" ping >/dev/null 2>&1; then
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    wait_for bash -c "! redis-cli -p $port ping" || die "cannot stop the server left on port $port"
  fi
}

# start_redis starts a throw-away redis-server on port with extra arguments.
start_redis() {
  local port=$1; shift
  local dir=$CI_SERVERS_DIR/redis-$port
  stop_redis_port "$port"
  rm -rf "$dir" && mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$dir" --logfile "$dir/redis.log" --pidfile "$dir/redis.pid" "$@" \
    || die "cannot start redis-server on port $port"
  wait_for redis-cli -p "$port" ping || { tail -n 20 "$dir/redis.log" >&2; die "redis-server on port $port does not answer"; }
}

# start_redis_cluster starts three masters with no replicas and joins them into
# one cluster covering all 16384 slots; prints nothing on success.
start_redis_cluster() {
  local port nodes=()
  for port in "${CLUSTER_PORTS[@]}"; do
    start_redis "$port" --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000
    nodes+=("127.0.0.1:$port")
  done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$CI_SERVERS_DIR/cluster-create.log" 2>&1 \
    || { cat "$CI_SERVERS_DIR/cluster-create.log" >&2; die "redis-cli --cluster create failed"; }
  for port in "${CLUSTER_PORTS[@]}"; do
    wait_for bash -c "redis-cli -p $port cluster info | grep -q '^cluster_state:ok'" \
      || die "the Redis Cluster is not ok on port $port: $(redis-cli -p "$port" cluster info | head -n 3)"
  done
}

# start_redis_sentinel starts a master, its replica and one Sentinel that
# monitors them, and waits until the Sentinel knows the replica (a failover
# needs one to promote).
start_redis_sentinel() {
  local dir=$CI_SERVERS_DIR/sentinel-$SENTINEL_PORT
  start_redis "$SENTINEL_MASTER_PORT"
  start_redis "$SENTINEL_REPLICA_PORT" --replicaof 127.0.0.1 "$SENTINEL_MASTER_PORT"
  wait_for bash -c "redis-cli -p $SENTINEL_REPLICA_PORT info replication | grep -q '^master_link_status:up'" \
    || die "the replica on port $SENTINEL_REPLICA_PORT does not follow its master"
  stop_redis_port "$SENTINEL_PORT"
  rm -rf "$dir" && mkdir -p "$dir"
  cat >"$dir/sentinel.conf" <<EOF
port $SENTINEL_PORT
bind 127.0.0.1
daemonize yes
dir $dir
logfile $dir/sentinel.log
pidfile $dir/sentinel.pid
sentinel monitor $SENTINEL_MASTER_NAME 127.0.0.1 $SENTINEL_MASTER_PORT 1
sentinel down-after-milliseconds $SENTINEL_MASTER_NAME 5000
EOF
  redis-server "$dir/sentinel.conf" --sentinel || die "cannot start redis-sentinel on port $SENTINEL_PORT"
  wait_for bash -c "redis-cli -p $SENTINEL_PORT sentinel get-master-addr-by-name $SENTINEL_MASTER_NAME | grep -q $SENTINEL_MASTER_PORT" \
    || { tail -n 20 "$dir/sentinel.log" >&2; die "Sentinel on port $SENTINEL_PORT does not report its master"; }
  wait_for bash -c "redis-cli -p $SENTINEL_PORT sentinel replicas $SENTINEL_MASTER_NAME | grep -q $SENTINEL_REPLICA_PORT" \
    || { tail -n 20 "$dir/sentinel.log" >&2; die "Sentinel on port $SENTINEL_PORT does not know the replica"; }
}

# PgBouncer before 1.21 exits on a FATAL "server in bad state" when a query is
# cancelled at the wrong moment (pgbouncer/pgbouncer#822, fixed by #927 in 1.21);
# lib/pq cancels the query of every context that ends mid-statement, and a CI
# run did lose Debian 12's 1.18 that way halfway through the end-to-end tests.
# So an older installed pgbouncer is replaced by Debian 13's source release of
# PgBouncer, checked against the checksum Debian publishes, built once into
# PGBOUNCER_BUILD_DIR and reused by later runs.
PGBOUNCER_MIN_VERSION=1.21
PGBOUNCER_SOURCE_VERSION=1.24.1
PGBOUNCER_SOURCE_URL=http://deb.debian.org/debian/pool/main/p/pgbouncer/pgbouncer_${PGBOUNCER_SOURCE_VERSION}.orig.tar.gz
PGBOUNCER_SOURCE_SHA256=da72a3aba13072876d055a3e58dd4aba4a5de4ed6148e73033185245598fd3e0
PGBOUNCER_BUILD_DIR=${PGBOUNCER_BUILD_DIR:-/var/cache/complaintbot-ci/pgbouncer-$PGBOUNCER_SOURCE_VERSION}

# pgbouncer_version prints the version of the pgbouncer binary $1 (e.g. 1.18.0).
pgbouncer_version() {
  "$1" --version 2>/dev/null | awk 'NR == 1 { print $2 }'
}

# version_at_least reports whether version $1 is $2 or later.
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

# build_pgbouncer builds PGBOUNCER_SOURCE_VERSION into PGBOUNCER_BUILD_DIR.
build_pgbouncer() {
  local src
  log "building PgBouncer $PGBOUNCER_SOURCE_VERSION (the installed one is older than $PGBOUNCER_MIN_VERSION)"
  local deps=(gcc make pkgconf libevent-dev libssl-dev libc-ares-dev)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${deps[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${deps[@]}" >/dev/null; } \
    || die "cannot install PgBouncer's build dependencies"
  src=$(mktemp -d)
  curl -fsS -o "$src/pgbouncer.tar.gz" "$PGBOUNCER_SOURCE_URL" || die "cannot download $PGBOUNCER_SOURCE_URL"
  echo "$PGBOUNCER_SOURCE_SHA256  $src/pgbouncer.tar.gz" | sha256sum -c --quiet - || die "PgBouncer source: checksum mismatch"
  tar -xzf "$src/pgbouncer.tar.gz" -C "$src" --strip-components=1 || die "cannot unpack the PgBouncer source"
  ( cd "$src" && ./configure --prefix="$PGBOUNCER_BUILD_DIR" --with-cares --without-systemd >configure.log 2>&1 \
      && make -j"$(nproc)" >make.log 2>&1 && make install >install.log 2>&1 ) \
    || { tail -n 30 "$src"/*.log >&2; die "cannot build PgBouncer $PGBOUNCER_SOURCE_VERSION"; }
  rm -rf "$src"
}

# pgbouncer_binary prints the path of a pgbouncer of at least
# PGBOUNCER_MIN_VERSION: Debian's package if it is recent enough, else the build.
pgbouncer_binary() {
  local installed
  if ! command -v pgbouncer >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null || die "cannot install pgbouncer"
  fi
  installed=$(command -v pgbouncer)
  if version_at_least "$(pgbouncer_version "$installed")" "$PGBOUNCER_MIN_VERSION"; then
    echo "$installed"
    return
  fi
  [ -x "$PGBOUNCER_BUILD_DIR/bin/pgbouncer" ] || build_pgbouncer >&2
  version_at_least "$(pgbouncer_version "$PGBOUNCER_BUILD_DIR/bin/pgbouncer")" "$PGBOUNCER_MIN_VERSION" \
    || die "the PgBouncer built in $PGBOUNCER_BUILD_DIR is older than $PGBOUNCER_MIN_VERSION"
  echo "$PGBOUNCER_BUILD_DIR/bin/pgbouncer"
}

# start_pgbouncer starts PgBouncer (pgbouncer_binary) in transaction mode on
# PGBOUNCER_PORT in front of the PostgreSQL at PG_HOST:PG_PORT, for every
# database name. It refuses to run as root, so as root it drops to the postgres
# user (-u).
start_pgbouncer() {
  local dir=$CI_SERVERS_DIR/pgbouncer pid bin
  bin=$(pgbouncer_binary) || exit 1
  log "PgBouncer: $bin ($(pgbouncer_version "$bin"))"
  if [ -f "$dir/pgbouncer.pid" ] && pid=$(cat "$dir/pgbouncer.pid") && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    wait_for bash -c "! kill -0 $pid" || die "cannot stop the pgbouncer left from an earlier run"
  fi
  rm -rf "$dir" && mkdir -p "$dir"
  # One pool per test database; small pools and a short idle timeout keep the
  # server connections of finished tests from adding up against max_connections.
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=${PG_HOST:-127.0.0.1} port=${PG_PORT:-5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 5
max_user_connections = 40
server_idle_timeout = 2
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  echo '"postgres" ""' >"$dir/userlist.txt"
  local user_opt=()
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; user_opt=(-u postgres); fi
  "$bin" -d "${user_opt[@]}" "$dir/pgbouncer.ini" || { tail -n 20 "$dir/pgbouncer.log" >&2; die "cannot start pgbouncer"; }
  wait_for pg_isready -h 127.0.0.1 -p "$PGBOUNCER_PORT" -q \
    || { tail -n 20 "$dir/pgbouncer.log" >&2; die "pgbouncer does not answer on port $PGBOUNCER_PORT"; }
}

# report_ci_servers prints, after a failed pass, whether each server this file
# started still runs, and the end of PgBouncer's log: a pooler that died
# mid-pass shows up as "connection refused" in the tests and is explained here.
report_ci_servers() {
  local port pid dir=$CI_SERVERS_DIR/pgbouncer
  for port in "${CLUSTER_PORTS[@]}" "$SENTINEL_PORT" "$SENTINEL_MASTER_PORT" "$SENTINEL_REPLICA_PORT"; do
    if redis-cli -p "$port" ping >/dev/null 2>&1; then echo "redis on $port: up"; else echo "redis on $port: down"; fi
  done >&2
  if [ -f "$dir/pgbouncer.pid" ] && pid=$(cat "$dir/pgbouncer.pid"); then
    if kill -0 "$pid" 2>/dev/null; then echo "pgbouncer ($pid): up" >&2; else echo "pgbouncer ($pid): DEAD" >&2; fi
    grep -E 'FATAL|ERROR|WARNING' "$dir/pgbouncer.log" | grep -v 'authentication failed' | tail -n 20 >&2 || true
    tail -n 5 "$dir/pgbouncer.log" >&2
  fi
}

# stop_ci_servers stops every server this file started.
stop_ci_servers() {
  local port pid
  for port in "${CLUSTER_PORTS[@]}" "$SENTINEL_PORT" "$SENTINEL_MASTER_PORT" "$SENTINEL_REPLICA_PORT"; do
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  done
  if [ -f "$CI_SERVERS_DIR/pgbouncer/pgbouncer.pid" ] && pid=$(cat "$CI_SERVERS_DIR/pgbouncer/pgbouncer.pid"); then
    kill "$pid" 2>/dev/null || true
  fi
}
