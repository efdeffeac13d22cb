#!/usr/bin/env bash
# Load scenarios against a release server on the issue-5 data set (10,000 courses, 100,000
# students, ~2,000,000 lesson completions), with wrk on the same machine. 127.0.0.1 only; every
# run is bounded (LOAD_SECONDS each).
#
#   bash benches/load/run.sh            # all scenarios, 3 runs each, medians printed at the end
#   LOAD_ONLY=scenario200 bash benches/load/run.sh
#
# The cached paths are also reported as a ratio to a bare axum server (benches/load/bare.rs,
# built as the `bare` example) measured in the same run: a 3.5 KB JSON body serialised per
# request, and a 20 KB page held in memory. After each scenario the server's own time per
# request (its histogram, by route; benches/load/server_time.py) is printed beside wrk's figures.
#
# Env: LECTERN_BIN (default target/release/lectern, built if missing), LOAD_DIR (target/load:
# the seeded school is kept there and reused), LOAD_SECONDS (10), LOAD_RUNS (3), LOAD_PORT,
# LOAD_PURGE_DELAY (0), LOAD_SIGNIN_EVERY (1000: the mixed scenarios sign in once per that many
# requests; 0 never).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

BIN=${LECTERN_BIN:-target/release/lectern}
DIR=${LOAD_DIR:-target/load}
SECS=${LOAD_SECONDS:-10}
RUNS=${LOAD_RUNS:-3}
PORT=${LOAD_PORT:-18400}
URL="http://127.0.0.1:$PORT"
mkdir -p "$DIR"

[ -x "$BIN" ] || cargo build --release --locked
BARE=${BARE_BIN:-target/release/examples/bare}
[ -x "$BARE" ] || cargo build --release --locked --example bare
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; else echo "install wrk" >&2; exit 1; fi
fi

if [ ! -f "$DIR/data/lectern.redb" ]; then
  echo "== seeding the data set into $DIR (once; ~40 s)"
  "$BIN" seed --data-dir "$DIR/data" --index-dir "$DIR/index" --courses 10000 --users 100000 \
    --enrollments-per-user 4 --lessons 10
fi

echo "== starting the server"
start=$(date +%s%N)
# Memory returned to the system at once, as the Dockerfile and the systemd unit in docs/deploy.md
# run it (LOAD_PURGE_DELAY=-1 leaves mimalloc's default, to compare).
purge=()
[ "${LOAD_PURGE_DELAY:-0}" = -1 ] || purge=(MIMALLOC_PURGE_DELAY="${LOAD_PURGE_DELAY:-0}")
env "${purge[@]}" LECTERN_RATE_LIMIT_PER_MIN=0 LECTERN_BACKUP_EVERY=0 LECTERN_LOG_FORMAT=json RUST_LOG=warn \
  "$BIN" serve --data-dir "$DIR/data" --index-dir "$DIR/index" --addr "127.0.0.1:$PORT" \
  >"$DIR/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -fsS "$URL/health/ready" >/dev/null 2>&1; do
  kill -0 $pid 2>/dev/null || { echo "server died"; tail -20 "$DIR/server.log"; exit 1; }
  sleep 0.02
done
echo "start-up to ready: $(( ($(date +%s%N) - start) / 1000000 )) ms; RSS $(grep VmRSS /proc/$pid/status | awk '{print $2/1024 " MB"}')"

BARE_URL="http://127.0.0.1:$((PORT + 1))"
"$BARE" "127.0.0.1:$((PORT + 1))" >/dev/null 2>&1 &
bare_pid=$!
trap 'kill $pid $bare_pid 2>/dev/null || true' EXIT

python3 benches/load/prepare.py "$URL" "$DIR/data.lua" 256
export LOAD_DATA="$DIR/data.lua"

summary=()
declare -A median_rps
scenario() { # name connections script what [url [script args]]
  local name=$1 conns=$2 script=$3 what=$4 url=${5:-$URL}
  shift 5 2>/dev/null || shift $#
  if [ -n "${LOAD_ONLY:-}" ] && [[ " $LOAD_ONLY " != *" $name "* ]]; then return; fi
  echo "== $name: $what ($conns connections, ${SECS}s x $RUNS)"
  local lines=()
  [ "$url" != "$URL" ] || curl -fsS "$URL/metrics" >"$DIR/metrics.before" || true
  for i in $(seq 1 "$RUNS"); do
    local line
    line=$(wrk -t2 -c"$conns" -d"${SECS}s" --timeout 5s -s "benches/load/$script" "$url" -- "$@" | grep '^RESULT' | sed 's/^RESULT //')
    echo "  run $i: $line"
    lines+=("$line")
  done
  local med
  med=$(printf '%s\n' "${lines[@]}" | sort -t= -k2 -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  median_rps[$name]=$(echo "$med" | sed 's/^rps=\([0-9]*\).*/\1/')
  summary+=("$(printf '%-14s %5s conns  %s' "$name" "$conns" "$med")")
  echo "  server: $(grep -E 'VmRSS|VmHWM' /proc/$pid/status | awk '{printf "%s %.0f MB  ", $1, $2/1024}')"
  if [ "$url" = "$URL" ] && curl -fsS "$URL/metrics" >"$DIR/metrics.after"; then
    python3 benches/load/server_time.py "$DIR/metrics.before" "$DIR/metrics.after"
  fi
}
ratio() { # label numerator denominator
  local a=${median_rps[$2]:-} b=${median_rps[$3]:-}
  [ -n "$a" ] && [ -n "$b" ] && summary+=("$(printf '%-40s %s / %s = %.2f' "$1" "$a" "$b" "$(awk "BEGIN{print $a / $b}")")")
  return 0
}

echo "sizes: course JSON $(curl -s "$URL/api/v1/courses/$(sed -n 's/.*course_ids = {"\([^"]*\)".*/\1/p' "$DIR/data.lua")" | wc -c) B (bare $(curl -s "$BARE_URL/json" | wc -c) B); catalog page $(curl -s "$URL/courses" | wc -c) B (bare $(curl -s "$BARE_URL/page" | wc -c) B)"

scenario bare_json64   64   bare.lua        "bare axum: a 3.5 KB JSON body serialised per request" "$BARE_URL" /json
scenario bare_page64   64   bare.lua        "bare axum: a 20 KB page from memory" "$BARE_URL" /page

scenario course64      64   course.lua      "GET course detail JSON" "$URL"
scenario catalog64     64   catalog.lua     "GET catalog page HTML (20 courses)"
scenario catalog64fresh 64 catalog_fresh.lua "GET catalog page HTML, rendered every time (an ignored parameter)"
scenario search64      64   search.lua      "GET search, two words, fuzzy (12 popular searches: response cache)"
scenario search64fresh 64  search_fresh.lua "GET search, two words, fuzzy, the 12 popular searches made unique (no cache)"
scenario search64unique 64 search_unique.lua "GET search, two random title words, often a typo, some filtered (no cache)"
scenario complete256   256  completions.lua "POST/DELETE lesson completion, durable"
scenario scenario200   200  scenario.lua    "the original's mixed scenario, 200 users"
scenario scenario1000  1000 scenario.lua    "the mixed scenario, 1,000 concurrent users"

ratio "course JSON (cached) / bare JSON" course64 bare_json64
ratio "catalog page (cached) / bare page" catalog64 bare_page64

echo
echo "== medians (by RPS) of $RUNS runs"
printf '%s\n' "${summary[@]}"
echo "server memory: $(grep -E 'VmRSS|VmHWM' /proc/$pid/status | awk '{printf "%s %.0f MB  ", $1, $2/1024}')"
kill -TERM $pid; wait $pid || true
trap - EXIT
