# Sourced by the scripts/test-*.sh suites: a landguard server over its own fresh database with the demo
# data, on a free loopback port, stopped when the calling script exits.
#   source scripts/testserver.sh; testserver_start NAME   → exports LG_URL (http://127.0.0.1:PORT) and LG_DB
# DATABASE_URL (exported by `make test`) must name a role that may create databases.

testserver_start() {
  local name=$1 admin=${DATABASE_URL:-$(bash scripts/pg.sh url)}
  LG_DB="${admin%/*}/landguard_${name}"
  export LG_DB
  psql "$admin" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS landguard_${name} WITH (FORCE)" -c "CREATE DATABASE landguard_${name}" >/dev/null
  cargo build -q --bin landguard
  DATABASE_URL=$LG_DB target/debug/landguard migrate 2>/dev/null
  DATABASE_URL=$LG_DB target/debug/landguard demo-load fixtures/ >&2
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p test-artifacts
  DATABASE_URL=$LG_DB LANDGUARD_WEB_DIR=${LANDGUARD_WEB_DIR:-web/dist} \
    target/debug/landguard serve --bind "127.0.0.1:$port" >"test-artifacts/server-$name.log" 2>&1 &
  LG_PID=$!
  trap 'kill $LG_PID 2>/dev/null; wait $LG_PID 2>/dev/null' EXIT
  LG_URL="http://127.0.0.1:$port"
  export LG_URL
  for _ in $(seq 1 100); do
    curl -fsS "$LG_URL/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "landguard did not start; see test-artifacts/server-$name.log" >&2
  return 1
}

# A Python virtual environment under .run/ with the given PyPI packages, made once and reused.
testserver_venv() {
  local dir=".run/venv-$1"
  shift
  if [ ! -x "$dir/bin/python" ]; then
    python3 -m venv "$dir"
  fi
  "$dir/bin/pip" install -q --disable-pip-version-check "$@" >&2
  echo "$dir/bin"
}

# The verdict of a JUnit XML report, the one thing a suite's result is read from: a tool's exit code is not
# trusted (ogctests, for one, exits 0 when its tests fail). Prints "N passed, N failed, N errors, N skipped"
# and succeeds only when the report exists, holds at least one test and no failure or error.
#   junit_verdict FILE
junit_verdict() {
  python3 - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET

try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError) as e:
    print(f"no readable report {sys.argv[1]} ({e})")
    sys.exit(1)
passed = failed = errors = skipped = 0
for case in root.iter("testcase"):
    kinds = {child.tag for child in case}
    if "failure" in kinds or "error" in kinds:
        # the names go to stderr (the log), the counts to stdout (the verdict)
        print(f"  {'failed' if 'failure' in kinds else 'error'}: {case.get('classname', '')}::{case.get('name', '')}", file=sys.stderr)
    if "failure" in kinds:
        failed += 1
    elif "error" in kinds:
        errors += 1
    elif "skipped" in kinds:
        skipped += 1
    else:
        passed += 1
# An error outside any test case (a collection error, a crashed session) is counted on the suite only.
for suite in root.iter("testsuite"):
    errors += max(0, int(suite.get("errors", 0) or 0) - sum(1 for c in suite.iter("testcase") if c.find("error") is not None))
print(f"{passed} passed, {failed} failed, {errors} errors, {skipped} skipped")
sys.exit(0 if passed + failed + errors > 0 and failed == 0 and errors == 0 else 1)
PY
}
