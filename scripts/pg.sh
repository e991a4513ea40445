#!/usr/bin/env bash
# A private PostgreSQL 15 + PostGIS cluster for development and tests, under $REPO/.pgdata.
#
#   scripts/pg.sh start    start it (initdb, database `landguard`, extension postgis) if needed;
#                          the LAST line of stdout is the URL: DATABASE_URL=$(scripts/pg.sh start | tail -1)
#                          With DATABASE_URL already set, starts nothing and just prints it.
#                          PG_FAST=1 starts the server with fsync=off, synchronous_commit=off (tests only).
#   scripts/pg.sh stop     fast shutdown; quiet when it is not running
#   scripts/pg.sh url      $DATABASE_URL if set, else the private cluster's URL
#   scripts/pg.sh status   whether it runs, where, and its URL (exit 0 running, 3 stopped, 4 no cluster)
#
# Files: .pgdata/cluster (data dir; the Unix socket lives there too), .pgdata/cluster.log (server log),
# .pgdata/port (TCP port on 127.0.0.1, chosen once from 55432 upward), .pgdata/database_url.
# PostgreSQL refuses to run as root: as root the cluster belongs to the system user landguard-pg
# (created if missing) and every server command runs through runuser. Progress goes to stderr.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
STATE=$REPO/.pgdata
CLUSTER=$STATE/cluster
LOG=$STATE/cluster.log
PORT_FILE=$STATE/port
URL_FILE=$STATE/database_url
DB_NAME=landguard
SYS_USER=landguard-pg
FIRST_PORT=55432

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# The account that owns the cluster and runs the server.
run_user() {
  if ! is_root; then id -un; return; fi
  local owner
  owner=$(stat -c %U "$CLUSTER" 2>/dev/null || true)
  case "$owner" in
    "" | root | UNKNOWN) echo "$SYS_USER" ;;
    *) echo "$owner" ;;
  esac
}

# Runs a server command as the cluster's owner, from /, without our lock descriptor.
as_pg() {
  if is_root; then
    (cd / && runuser -u "$(run_user)" -- "$@") 9>&-
  else
    (cd / && "$@") 9>&-
  fi
}

url_for() { echo "postgres://postgres@127.0.0.1:$1/$DB_NAME"; }

psql_at() { # PORT DB psql-args...
  local port=$1 db=$2
  shift 2
  PGOPTIONS='--client-min-messages=warning' \
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"
}

# PID of the running postmaster, or nothing. A postmaster.pid naming a dead process, a zombie (a
# killed postmaster where nothing reaps orphans, as in some containers) or an unrelated process (PID
# reused after a reboot) is stale.
server_pid() {
  local pid stat
  pid=$(head -n 1 "$CLUSTER/postmaster.pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  stat=$(cat "/proc/$pid/stat" 2>/dev/null || true)
  case "$stat" in
    "$pid (postgres) "[ZX]*) ;;
    "$pid (postgres) "*) echo "$pid" ;;
  esac
}

# The port the running server listens on (line 4 of postmaster.pid).
server_port() { sed -n 4p "$CLUSTER/postmaster.pid" 2>/dev/null || true; }

port_busy() {
  local p=$1
  if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then
    return 0
  fi
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null
}

# The remembered port if it is still free, else the first free one from FIRST_PORT upward.
choose_port() {
  local p
  p=$(cat "$PORT_FILE" 2>/dev/null || true)
  if [[ "$p" =~ ^[0-9]+$ ]]; then
    port_busy "$p" || { echo "$p"; return; }
    log "port $p is taken by another process; choosing a new one"
  fi
  for ((p = FIRST_PORT; p < FIRST_PORT + 1000; p++)); do
    port_busy "$p" || { echo "$p"; return; }
  done
  die "no free TCP port on 127.0.0.1 in $FIRST_PORT-$((FIRST_PORT + 999))"
}

ensure_sys_user() {
  id -u "$SYS_USER" >/dev/null 2>&1 && return
  log "creating system user $SYS_USER"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SYS_USER"
}

# The server user must be able to reach $STATE: add o+x to the directories on the way that lack it.
ensure_traversable() {
  local user=$1 d
  runuser -u "$user" -- test -x "$STATE" 2>/dev/null && return
  d=$STATE
  while :; do
    if [ "$(( 0$(stat -c %a "$d") & 1 ))" -eq 0 ]; then
      log "chmod o+x $d (so that $user can reach $STATE)"
      chmod o+x "$d"
    fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
  runuser -u "$user" -- test -x "$STATE" || die "$user cannot reach $STATE"
}

ensure_cluster() {
  local user loc
  if [ -f "$CLUSTER/PG_VERSION" ]; then return; fi
  if [ -e "$CLUSTER" ]; then
    log "removing incomplete cluster directory $CLUSTER"
    rm -rf "$CLUSTER"
  fi
  user=$(run_user)
  mkdir -m 0700 "$CLUSTER"
  if is_root; then chown "$user:" "$CLUSTER"; fi
  if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then loc=C.UTF-8; else loc=C; fi
  log "initialising a PostgreSQL cluster in $CLUSTER (owner $user, locale $loc)"
  if ! as_pg "$PGBIN/initdb" -D "$CLUSTER" -A trust -U postgres -E UTF8 --locale="$loc" \
    >"$STATE/initdb.log" 2>&1; then
    cat "$STATE/initdb.log" >&2
    rm -rf "$CLUSTER"
    die "initdb failed"
  fi
}

start_server() {
  local port opts sock attempt offset
  for attempt in 1 2 3 4 5; do
    port=$(choose_port)
    echo "$port" >"$PORT_FILE"
    sock=$CLUSTER
    # Unix socket paths are limited to 107 bytes; the TCP port is all the scripts use anyway.
    [ "${#sock}" -le 90 ] || sock=
    opts="-p $port -k '$sock' -c listen_addresses=127.0.0.1 -c max_connections=200"
    if [ "${PG_FAST:-0}" = 1 ]; then opts+=" -c fsync=off -c synchronous_commit=off"; fi
    offset=$(stat -c %s "$LOG")
    log "starting PostgreSQL on 127.0.0.1:$port$([ "${PG_FAST:-0}" = 1 ] && echo " (fsync off)"); log in $LOG"
    if as_pg "$PGBIN/pg_ctl" start -w -t 120 -D "$CLUSTER" -l "$LOG" -o "$opts" >/dev/null 2>&1; then
      return
    fi
    log "start attempt $attempt failed:"
    tail -c +"$((offset + 1))" "$LOG" | tail -n 5 >&2
    sleep "$attempt"
  done
  die "PostgreSQL did not start; see $LOG"
}

ensure_database() {
  local port=$1
  if [ "$(psql_at "$port" postgres -tAc "select 1 from pg_database where datname='$DB_NAME'")" != 1 ]; then
    log "creating database $DB_NAME"
    psql_at "$port" postgres -c "CREATE DATABASE $DB_NAME" >&2
  fi
  psql_at "$port" "$DB_NAME" -c 'CREATE EXTENSION IF NOT EXISTS postgis' >&2
}

cmd_start() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "DATABASE_URL is set; not starting the private cluster"
    echo "$DATABASE_URL"
    return
  fi
  [ -x "$PGBIN/pg_ctl" ] || die "PostgreSQL 15 not found in $PGBIN; run scripts/bootstrap.sh"
  case "$REPO" in *"'"*) die "the repository path must not contain a single quote: $REPO" ;; esac
  mkdir -p "$STATE"
  exec 9>"$STATE/lock"
  flock 9

  local port user
  if is_root; then
    ensure_sys_user
    user=$(run_user)
    ensure_traversable "$user"
  fi
  ensure_cluster
  if [ -n "$(server_pid)" ]; then
    port=$(server_port)
  else
    # Left by a killed server; PostgreSQL itself would refuse to start while the PID in them
    # still exists (even as a zombie).
    if [ -f "$CLUSTER/postmaster.pid" ]; then
      log "removing stale postmaster.pid and socket lock files"
      rm -f "$CLUSTER/postmaster.pid" "$CLUSTER"/.s.PGSQL.*
    fi
    touch "$LOG"
    if is_root; then chown "$user:" "$LOG"; fi
    start_server
    port=$(server_port)
  fi
  ensure_database "$port"
  url_for "$port" >"$URL_FILE"
  cat "$URL_FILE"
}

cmd_stop() {
  [ -n "$(server_pid)" ] || return 0
  log "stopping PostgreSQL ($CLUSTER)"
  as_pg "$PGBIN/pg_ctl" stop -w -m fast -D "$CLUSTER" >/dev/null
}

cmd_url() {
  if [ -n "${DATABASE_URL:-}" ]; then
    echo "$DATABASE_URL"
  elif [ -s "$URL_FILE" ]; then
    cat "$URL_FILE"
  else
    die "no DATABASE_URL and no private cluster yet; run scripts/pg.sh start"
  fi
}

cmd_status() {
  if [ -n "${DATABASE_URL:-}" ]; then
    echo "DATABASE_URL is set (the private cluster is not used): $DATABASE_URL"
  fi
  if [ ! -f "$CLUSTER/PG_VERSION" ]; then
    echo "private cluster: none (no $CLUSTER)"
    return 4
  fi
  local pid
  pid=$(server_pid)
  if [ -n "$pid" ]; then
    echo "private cluster: running (pid $pid) on 127.0.0.1:$(server_port), data $CLUSTER"
    echo "url: $(url_for "$(server_port)")"
  else
    echo "private cluster: stopped, data $CLUSTER"
    return 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) cmd_url ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|url|status" >&2
    exit 2
    ;;
esac
