#!/usr/bin/env bash
# Holds the OpenAPI document to the server: schemathesis 4 runs every check against
# `lectern serve --demo`, three times (anonymous, a teacher's token, an admin's token), and any
# failure fails this script.
#
#   .ci/schemathesis.sh [path/to/lectern]     (default: $LECTERN_BIN, else target/debug/lectern)
#
# Builds nothing. Needs `st` (pip install 'schemathesis>=4,<5'), curl and python3.
# ST_MAX_EXAMPLES (default 10) and ST_SEED (default 20261204) bound and fix the generated cases
# (about 1900 a run); the three runs took 4.5 minutes on 2 cores shared with a compiler, nearly
# all of it schemathesis itself. Settings that do not change: .ci/schemathesis.toml.
#
# The server runs in a throwaway data dir, so what the fuzzer does to the demo school (accounts
# registered, courses created and edited, profile changes) is lost with it. Side effects that
# could reach beyond one request are kept in check:
# - the anonymous run sends no credentials (schemathesis would sign itself up otherwise);
# - the per-IP rate limit is off (LECTERN_RATE_LIMIT_PER_MIN=0): every request comes from one
#   address and would be answered 429 within a second, so nothing behind the limit would be
#   tested. 429 is still documented on every operation it guards;
# - no scheduled backups, and one kept: the admin run takes a backup per POST /admin/backups;
# - the tokens schemathesis gets are access tokens only: it cannot end the sessions it runs in
#   (logout needs the refresh token) nor change a password (that needs the current one), and
#   each run signs in afresh, well within the access token's lifetime.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${1:-${LECTERN_BIN:-target/debug/lectern}}"
max_examples="${ST_MAX_EXAMPLES:-10}"
seed="${ST_SEED:-20261204}"
password=lectern-demo-2026 # every demo account's (src/demo.rs)

[ -x "$bin" ] || { echo "no server binary at $bin" >&2; exit 1; }
command -v st >/dev/null || { echo "schemathesis is not installed: pip install 'schemathesis>=4,<5'" >&2; exit 1; }

dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
LECTERN_RATE_LIMIT_PER_MIN=0 LECTERN_BACKUP_EVERY=0 LECTERN_BACKUP_KEEP=1 \
  "$bin" serve --demo --data-dir "$dir/data" --index-dir "$dir/index" --addr "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

ready=""
for _ in $(seq 1 240); do
  if curl -fsS "$base/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 $pid 2>/dev/null || break
  sleep 0.5
done
if [ -z "$ready" ]; then echo "the server did not become ready" >&2; cat "$dir/server.log" >&2; exit 1; fi

# An access token of a demo account.
token() {
  curl -fsS -H 'content-type: application/json' \
    -d "{\"email\": \"$1\", \"password\": \"$password\"}" "$base/api/v1/auth/login" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# `run LABEL [st options]`: one schemathesis run; prints its counts, returns its failures.
run() {
  local label=$1
  shift
  echo "== schemathesis: $label"
  local status=0
  st --config-file .ci/schemathesis.toml run "$base/api/openapi.json" \
    --checks all --max-examples "$max_examples" --seed "$seed" --no-color \
    --report junit --report-junit-path "$dir/$label.xml" "$@" >"$dir/$label.out" 2>&1 || status=$?
  local counts
  counts=$(python3 - "$dir/$label.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
tests = failed = 0
for case in cases:
    tests += 1
    failed += any(child.tag in ("failure", "error") for child in case)
print(f"{tests} operations, {failed} with failures")
EOF
  ) || counts="no report"
  sed -n '/= SUMMARY =/,$p' "$dir/$label.out"
  echo "-- $label: $counts (exit $status)"
  if [ "$status" != 0 ]; then
    # The failures (or errors) with their curl reproductions; all of it if st stopped early.
    # (Lines cut short: a reproduction can carry a megabyte of body.)
    if grep -q '= \(FAILURES\|ERRORS\) =' "$dir/$label.out"; then
      sed -n '/= \(FAILURES\|ERRORS\) =/,/= SUMMARY =/p' "$dir/$label.out" | cut -c1-1000
    else
      tail -n 60 "$dir/$label.out" | cut -c1-1000
    fi
    return 1
  fi
}

# The three runs go side by side (schemathesis, not the server, is what takes the time) and
# print one after another.
started=$SECONDS
teacher_token=$(token maria.lopez@demo.lectern.school)
admin_token=$(token admin@demo.lectern.school)
run anonymous >"$dir/anonymous.log" 2>&1 &
anonymous_pid=$!
run teacher -H "Authorization: Bearer $teacher_token" >"$dir/teacher.log" 2>&1 &
teacher_pid=$!
run admin -H "Authorization: Bearer $admin_token" >"$dir/admin.log" 2>&1 &
admin_pid=$!
failed=()
wait $anonymous_pid || failed+=(anonymous)
wait $teacher_pid || failed+=(teacher)
wait $admin_pid || failed+=(admin)
cat "$dir/anonymous.log" "$dir/teacher.log" "$dir/admin.log"
echo "== schemathesis took $((SECONDS - started)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "schemathesis found failures in: ${failed[*]}" >&2
  echo "-- errors the server logged:" >&2
  grep '"level":"ERROR"' "$dir/server.log" | tail -n 20 | cut -c1-1000 >&2 || true
  exit 1
fi
echo "schemathesis: no failures in any run"
