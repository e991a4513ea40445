#!/usr/bin/env bash
# Read replicas against a real PostgreSQL streaming replica made here with pg_basebackup -R: a write on the
# primary is seen at once by the writer's next read (read-your-writes), anonymous reads reach the replica, and
# while the replica is stopped, or paused more than LANDGUARD_REPLICA_MAX_LAG_SECS behind, reads go to the
# primary, returning to the replica once it is back. Checks answer legal questions and keep a tighter bound
# (LANDGUARD_CHECK_MAX_LAG_SECS, 4 s here): they leave a paused replica before other reads do.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/testserver.sh
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
admin=${DATABASE_URL:-$(bash scripts/pg.sh url)}
read -r phost pport < <(python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p.hostname, p.port or 5432)' "$admin")
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u landguard-pg -- "$@"; else "$@"; fi; }

work=$(mktemp -d /tmp/landguard-replica.XXXXXX)
chmod 755 "$work"
[ "$(id -u)" = 0 ] && chown landguard-pg "$work"
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  [ -n "${LG_PID:-}" ] && kill "$LG_PID" 2>/dev/null && wait "$LG_PID" 2>/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

as_pg "$PGBIN/pg_basebackup" -h "$phost" -p "$pport" -U postgres -D "$work/data" -R -X stream -c fast 2>/dev/null
# A hot standby needs at least the primary's connection limit. It applies each commit 1.5 s late, so a read
# that must see a fresh write can only pass by being sent to the primary.
maxconn=$(psql "$admin" -qAt -c 'SHOW max_connections')
as_pg "$PGBIN/pg_ctl" -D "$work/data" -l "$work/replica.log" -w \
  -o "-p $rport -k $work -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_connections=$maxconn -c recovery_min_apply_delay=1500ms" start >/dev/null
replica_admin="postgres://postgres@127.0.0.1:$rport/postgres"
[ "$(psql "$replica_admin" -qAt -c 'SELECT pg_is_in_recovery()')" = t ] || { echo "FAILED: the replica is not in recovery"; exit 1; }

export DATABASE_READ_URL="postgres://postgres@127.0.0.1:$rport/landguard_replica"
# above the 1.5 s apply delay, so that the delayed replica still gets reads; a paused one will not
export LANDGUARD_REPLICA_MAX_LAG_SECS=5
export LANDGUARD_CHECK_MAX_LAG_SECS=4
testserver_start replica
trap cleanup EXIT
for _ in $(seq 1 300); do
  [ "$(psql "$DATABASE_READ_URL" -qAt -c "SELECT value FROM landguard_meta WHERE key = 'demo_loaded'" 2>/dev/null)" != "" ] && break
  sleep 0.1
done

pass=0 fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAILED: $*"; fail=$((fail + 1)); }

token=$(DATABASE_URL=$LG_DB target/debug/landguard token create --name replica-writer --role editor 2>/dev/null | tail -1)
sleep 2
seen=0 lagged=0
for i in $(seq 1 20); do
  body=$(printf '{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[109.%03d,24.9],[109.%03d5,24.9],[109.%03d5,24.9005],[109.%03d,24.9005],[109.%03d,24.9]]]},"properties":{"unit_code":"RYW-%d","county_code":"450222","class":"safe_use","land_type":"0101","measures_in_place":true}}' "$i" "$i" "$i" "$i" "$i" "$i")
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$LG_URL/collections/farmland_units/items" \
    -H "authorization: Bearer $token" -H 'content-type: application/geo+json' -d "$body")
  [ "$code" = 201 ] || { bad "write $i answered $code"; continue; }
  code=$(curl -s -o /dev/null -w '%{http_code}' "$LG_URL/collections/farmland_units/items/RYW-$i" -H "authorization: Bearer $token")
  [ "$code" = 200 ] && seen=$((seen + 1))
  code=$(curl -s -o /dev/null -w '%{http_code}' "$LG_URL/collections/farmland_units/items/RYW-$i")
  [ "$code" = 404 ] && lagged=$((lagged + 1))
done
[ "$seen" = 20 ] && ok "the writer read each of its 20 writes at once" || bad "the writer saw $seen of its 20 writes at once"
[ "$lagged" -gt 0 ] && ok "anonymous reads lagged behind ($lagged of 20 not yet on the replica), so the writer's were routed" \
  || bad "no anonymous read lagged: the test cannot tell routing from fast replication"
sleep 2

# An idle backend may hold its statistics back for up to 10 s (PGSTAT_IDLE_INTERVAL), so the counter is read
# once the earlier reads' counts have surely arrived, and polled afterwards.
commits() { psql "$DATABASE_READ_URL" -qAt -c "SELECT xact_commit FROM pg_stat_database WHERE datname = 'landguard_replica'"; }
settled() { sleep 11; commits; }
# The counter once it reaches $1, or after 12 s the last value read.
commits_reach() {
  local c
  for _ in $(seq 1 24); do
    c=$(commits)
    [ "$c" -ge "$1" ] && break
    sleep 0.5
  done
  echo "$c"
}
before=$(settled)
for i in $(seq 1 50); do
  curl -s -o /dev/null "$LG_URL/collections/farmland_units/items?limit=20&bbox=109.2,24.4,109.6,24.8"
done
after=$(commits_reach $((before + 50)))
readers=$(psql "$DATABASE_READ_URL" -qAt -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'landguard-read' AND datname = 'landguard_replica'")
[ "$readers" -gt 0 ] && [ "$after" -ge $((before + 50)) ] && ok "anonymous reads reached the replica ($readers connections; $((after - before)) transactions)" \
  || bad "reads did not reach the replica (connections $readers, transactions $before → $after)"
# and the replica has the writes, through replication alone
n=$(psql "$DATABASE_READ_URL" -qAt -c "SELECT count(*) FROM farmland_unit_versions WHERE unit_code LIKE 'RYW-%'")
[ "$n" = 20 ] && ok "the replica replayed the 20 writes" || bad "the replica has $n of the 20 writes"

# A check reads from the (1.5 s late) replica too, and its answer says so.
check_body='{"geometry":{"type":"Polygon","coordinates":[[[109.40,24.35],[109.402,24.35],[109.402,24.352],[109.40,24.352],[109.40,24.35]]]},"proposed_use":"070101"}'
check_on() { curl -s -X POST "$LG_URL/checks/rezoning" -H 'content-type: application/json' -d "$check_body" | grep -o '"replica":[a-z]*'; }
on=$(check_on)
[ "$on" = '"replica":true' ] && ok "a check was answered from the replica, and says so" || bad "a check on a healthy replica: $on"

# The replica goes away: within a few seconds reads answer from the primary, and /health says so.
as_pg "$PGBIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null
served=0
for _ in $(seq 1 30); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$LG_URL/collections/farmland_units/items?limit=5")
  [ "$code" = 200 ] && served=$((served + 1)) || served=0
  [ "$served" -ge 5 ] && break
  sleep 0.2
done
health=$(curl -s "$LG_URL/health")
[ "$served" -ge 5 ] && echo "$health" | grep -q '"status":"degraded"' && echo "$health" | grep -q '"up":false' \
  && ok "with the replica stopped, reads are served by the primary and /health says degraded" \
  || bad "with the replica stopped: $served reads in a row answered 200; /health: $health"
code=$(curl -s -o /dev/null -w '%{http_code}' "$LG_URL/collections/farmland_units/items/RYW-1" -H "authorization: Bearer $token")
[ "$code" = 200 ] && ok "the writer still reads its own write" || bad "the writer's read answered $code with the replica stopped"

# It comes back: reads return to it.
as_pg "$PGBIN/pg_ctl" -D "$work/data" -l "$work/replica.log" -w \
  -o "-p $rport -k $work -c listen_addresses=127.0.0.1 -c hot_standby=on -c max_connections=$maxconn -c recovery_min_apply_delay=1500ms" start >/dev/null
back=0
for _ in $(seq 1 50); do
  curl -s "$LG_URL/health" | grep -q '"status":"ok"' && { back=1; break; }
  sleep 0.2
done
# The probe itself commits about one transaction a second there; 60 reads make far more than that.
before=$(commits)
for i in $(seq 1 60); do curl -s -o /dev/null "$LG_URL/collections/farmland_units/items?limit=5"; done
after=$(commits_reach $((before + 60)))
[ "$back" = 1 ] && [ "$after" -ge $((before + 60)) ] && ok "the restarted replica is used again ($((after - before)) transactions)" \
  || bad "after the replica restarted: /health ok $back, transactions $before → $after"

# Replication stops while the replica still answers: once it is more than 5 s behind, it gets no reads.
psql "$replica_admin" -qAt -c 'SELECT pg_wal_replay_pause()' >/dev/null
body='{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[109.5,24.9],[109.5005,24.9],[109.5005,24.9005],[109.5,24.9005],[109.5,24.9]]]},"properties":{"unit_code":"RYW-LAG","county_code":"450222","class":"safe_use","land_type":"0101","measures_in_place":true}}'
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$LG_URL/collections/farmland_units/items" \
  -H "authorization: Bearer $token" -H 'content-type: application/geo+json' -d "$body")
# checks leave the paused replica after LANDGUARD_CHECK_MAX_LAG_SECS (4 s), before other reads (5 s)
check_left=0 health_then=
for _ in $(seq 1 40); do
  if [ "$(check_on)" = '"replica":false' ]; then check_left=1; health_then=$(curl -s "$LG_URL/health" | grep -o '"behind":[a-z]*' | head -1); break; fi
  sleep 0.25
done
[ "$check_left" = 1 ] && ok "checks left the paused replica (other reads then: $health_then)" || bad "checks stayed on the paused replica"
behind=0
for _ in $(seq 1 40); do
  curl -s "$LG_URL/health" | grep -q '"behind":true' && { behind=1; break; }
  sleep 0.5
done
code=$(curl -s -o /dev/null -w '%{http_code}' "$LG_URL/collections/farmland_units/items/RYW-LAG")
on_replica=$(psql "$DATABASE_READ_URL" -qAt -c "SELECT count(*) FROM farmland_unit_versions WHERE unit_code = 'RYW-LAG'")
[ "$behind" = 1 ] && [ "$code" = 200 ] && [ "$on_replica" = 0 ] \
  && ok "a paused replica is marked behind and anonymous reads get the new feature from the primary" \
  || bad "paused replica: behind $behind, anonymous read $code, on the replica $on_replica"
psql "$replica_admin" -qAt -c 'SELECT pg_wal_replay_resume()' >/dev/null
caught=0
for _ in $(seq 1 40); do
  curl -s "$LG_URL/health" | grep -q '"status":"ok"' && { caught=1; break; }
  sleep 0.5
done
[ "$caught" = 1 ] && ok "once replay resumes the replica is usable again" || bad "the replica stayed behind after resuming: $(curl -s "$LG_URL/health")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
