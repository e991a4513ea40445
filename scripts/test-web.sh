#!/usr/bin/env bash
# The one-map viewer's tests (web/), run by `make test` like every scripts/test-*.sh:
#   1. npm ci (from web/package-lock.json, npm registry only), the build into web/dist, the unit tests
#      (node --test test/unit/);
#   2. a fresh database (landguard_webtest, or $WEBTEST_DB) on the same server as DATABASE_URL or the
#      private cluster, migrated and loaded with the demo data and the people the browser tests sign in as;
#   3. `landguard serve` on a free port with LANDGUARD_WEB_DIR=web/dist, and the browser tests
#      (playwright-core driving Debian's /usr/bin/chromium; never a downloaded browser).
# Screenshots go to test-artifacts/web/. The server is always stopped on exit.
# Set WEB_UNIT_ONLY=1 to stop after step 1 (no database, no browser); LANDGUARD_BIN=path to test a
# binary built elsewhere instead of `cargo build`'s target/debug/landguard.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"
WEB=$REPO/web
ARTIFACTS=${ARTIFACTS:-$REPO/test-artifacts/web}
DB_NAME=${WEBTEST_DB:-landguard_webtest}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

log() { printf 'test-web: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

command -v node >/dev/null || die "node is not installed (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null || die "npm is not installed (Debian: apt-get install npm)"

# ---- 1. install, build, unit tests -----------------------------------------------------------------
log "npm ci"
(cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
log "build web/dist"
(cd "$WEB" && npm run --silent build)
for f in index.html app.js app.css config.js counties.geojson; do
  [ -s "$WEB/dist/$f" ] || die "the build did not write web/dist/$f"
done
# node --test prints its own report (spec) and writes a JUnit one; the verdict is read from the JUnit
# report (junit_verdict), not from node's exit code alone.
source scripts/testserver.sh
mkdir -p "$ARTIFACTS"
node_tests() {
  local name=$1 v
  shift
  rm -f "$ARTIFACTS/$name.xml"
  (cd "$WEB" && node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=junit --test-reporter-destination="$ARTIFACTS/$name.xml" "$@") || true
  v=$(junit_verdict "$ARTIFACTS/$name.xml") || die "$name tests: $v (${ARTIFACTS#"$REPO"/}/$name.xml)"
  log "$name tests: $v"
}
log "unit tests"
node_tests unit test/unit/
if [ "${WEB_UNIT_ONLY:-}" = 1 ]; then
  exit 0
fi

# ---- 2. a fresh database with the demo data ----------------------------------------------------------
[ -x "$CHROMIUM" ] || die "$CHROMIUM is missing: run scripts/bootstrap.sh as root (it installs Debian's chromium)"
command -v psql >/dev/null || die "psql is missing: run scripts/bootstrap.sh"
if [ -z "${DATABASE_URL:-}" ]; then
  bash scripts/pg.sh start >/dev/null
fi
BASE_URL=$(bash scripts/pg.sh url | tail -n 1)
# postgres://user@host:port/dbname?params → the same server, another database
SERVER_URL=${BASE_URL%%\?*}
SERVER_URL=${SERVER_URL%/*}
QUERY=""
[[ "$BASE_URL" == *\?* ]] && QUERY="?${BASE_URL#*\?}"
ADMIN_URL="$SERVER_URL/postgres$QUERY"
export DATABASE_URL="$SERVER_URL/$DB_NAME$QUERY"
log "fresh database $DB_NAME"
PGOPTIONS='--client-min-messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$ADMIN_URL" \
  -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" >/dev/null

if [ -n "${LANDGUARD_BIN:-}" ]; then
  BIN=$LANDGUARD_BIN # a binary built elsewhere (development)
else
  log "cargo build"
  cargo build -q
  BIN=$REPO/target/debug/landguard
fi
"$BIN" migrate >/dev/null
"$BIN" demo-load fixtures/ >&2
# The people the browser tests sign in as (web/test/browser/*.test.mjs): two editors of every county, an
# editor of Liuzhou (4502) only, an approver (write_adjustment.test.mjs) and an admin (workspace.test.mjs). The
# password is made here, for this throwaway database alone.
LANDGUARD_PASSWORD="webtest-$(date +%s%N | sha256sum | head -c 16)"
export LANDGUARD_PASSWORD
for person in "web.editor editor" "web.other editor" "lz.editor editor --counties 4502" "web.approver approver" "web.admin admin"; do
  # shellcheck disable=SC2086 # the words of $person are the arguments
  set -- $person
  printf '%s\n' "$LANDGUARD_PASSWORD" | "$BIN" user create --name "$1" --role "$2" "${@:3}" >/dev/null
done

# ---- 3. the server and the browser tests ---------------------------------------------------------------
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
mkdir -p "$ARTIFACTS"
SERVER_LOG=$ARTIFACTS/server.log
LANDGUARD_WEB_DIR=$WEB/dist RUST_LOG=${RUST_LOG:-warn} "$BIN" serve --bind "127.0.0.1:$PORT" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
cleanup() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

URL="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  if curl -fsS "$URL/health" >/dev/null 2>&1; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; die "landguard serve exited"; }
  sleep 0.2
done
curl -fsS "$URL/health" >/dev/null || { cat "$SERVER_LOG" >&2; die "landguard did not answer /health on $URL"; }
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/map/")
[ "$code" = 200 ] || die "GET /map/ answered $code, not 200"

log "browser tests against $URL (screenshots in ${ARTIFACTS#"$REPO"/})"
LANDGUARD_URL=$URL ARTIFACTS=$ARTIFACTS CHROMIUM=$CHROMIUM node_tests browser --test-concurrency=1 test/browser/
