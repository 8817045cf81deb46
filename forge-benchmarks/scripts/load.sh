#!/usr/bin/env bash
# load.sh [ROUNDS=3] [SECONDS_PER_ROUND=10] [WARMUP_SECONDS=30]: requests/s of forge's example server
# against a bare Javalin 7.2.3 hello-world, side by side in one run, with wrk -t2 -c64.
#
# Starts three JVMs with default flags: bare Javalin hello (the peer harness), the example server
# with everything in memory (status, history, health) and a FORGE_ROLE=api node on the local Redis
# (create: authenticated, validated, rate-limited, admitted and queued, no workers). Each target is
# warmed up once, then rounds alternate hello, status, history, health, create; each round's ratio
# is to the hello figure of the same round, and the table shows the medians.
#
# Rate limits and admission limits are raised to their maxima so the figures measure the work of
# a request, not its refusal (non-2xx answers are printed; a round with any is flagged).
# The api node uses Redis database FORGE_BENCH_REDIS_DB (default 13), which is flushed before and
# after. The peer harnesses live outside the repository: set FORGE_PEERS to their folder.
set -euo pipefail
ROUNDS=${1:-3}
SECS=${2:-10}
WARMUP=${3:-30}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=${FORGE_PEERS:-$(cd "$(git -C "$ROOT" rev-parse --git-common-dir)/../.." 2>/dev/null && pwd)/shared/peers}
SERVER="$ROOT/forge-examples/target/forge-server.jar"
DB=${FORGE_BENCH_REDIS_DB:-13}
HELLO_PORT=${HELLO_PORT:-7180}; MEM_PORT=${MEM_PORT:-18180}; API_PORT=${API_PORT:-18181}
[[ -x "$PEERS/javalin-hello/run.sh" ]] || { echo "Javalin hello harness not found in $PEERS (set FORGE_PEERS)" >&2; exit 2; }
[[ -f "$SERVER" ]] || (cd "$ROOT" && mvn -B -q -pl forge-examples -am package -DskipTests)

WORK=$(mktemp -d /tmp/forge-load.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  redis-cli -n "$DB" flushdb >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '=+/' | head -c 40)
export FORGE_JWT_SECRET=$SECRET FORGE_SANDBOX=off FORGE_LOG_FORMAT=json \
  FORGE_RATE_LIMIT_REQUESTS_PER_MINUTE=1000000 FORGE_RATE_LIMIT_BUILDS_PER_MINUTE=1000000 \
  FORGE_MAX_ACTIVE_TASKS_PER_USER=1000000 FORGE_MAX_QUEUED_TASKS=10000000
redis-cli -n "$DB" flushdb >/dev/null

"$PEERS/javalin-hello/run.sh" "$HELLO_PORT" >"$WORK/hello.log" 2>&1 & PIDS+=($!)
FORGE_PORT=$MEM_PORT java -jar "$SERVER" >"$WORK/mem.log" 2>&1 & PIDS+=($!)
FORGE_PORT=$API_PORT FORGE_ROLE=api FORGE_REDIS_URL="redis://127.0.0.1:6379/$DB" \
  java -jar "$SERVER" >"$WORK/api.log" 2>&1 & PIDS+=($!)

await_up() { # url
  for _ in $(seq 1 240); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done
  echo "not up: $1" >&2; cat "$WORK"/*.log >&2; exit 1
}
await_up "http://127.0.0.1:$HELLO_PORT/hello"
await_up "http://127.0.0.1:$MEM_PORT/api/health"
await_up "http://127.0.0.1:$API_PORT/api/health"

TOKEN=$(java -jar "$SERVER" token --user alice)
BODY='{"project_name": "hello-make", "goal": "Build and test it"}'
ID=$(curl -s -X POST "http://127.0.0.1:$MEM_PORT/api/build/" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d "$BODY" | sed -n 's/.*"task_id" *: *"\([^"]*\)".*/\1/p')
[[ -n "$ID" ]] || { echo "could not create the build to poll" >&2; exit 1; }
cat >"$WORK/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
cat >"$WORK/create.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA

NAMES=(hello status history health create)
declare -A URL=(
  [hello]="http://127.0.0.1:$HELLO_PORT/hello"
  [status]="http://127.0.0.1:$MEM_PORT/api/build/$ID"
  [history]="http://127.0.0.1:$MEM_PORT/api/build/?limit=20"
  [health]="http://127.0.0.1:$MEM_PORT/api/health"
  [create]="http://127.0.0.1:$API_PORT/api/build/")
declare -A SCRIPT=([hello]="" [status]="$WORK/auth.lua" [history]="$WORK/auth.lua" [health]=""
  [create]="$WORK/create.lua")

run_wrk() { # name seconds -> "req/s non2xx"
  local name=$1 secs=$2 out
  out=$(wrk -t2 -c64 -d"${secs}s" ${SCRIPT[$name]:+-s "${SCRIPT[$name]}"} "${URL[$name]}")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '/Non-2xx/ {print $NF}' <<<"$out" | grep . || echo 0)"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "warm-up: ${WARMUP}s each (load average $(cut -d' ' -f1-3 /proc/loadavg))"
for name in "${NAMES[@]}"; do run_wrk "$name" "$WARMUP" >/dev/null; done

declare -A RATES RATIOS
for round in $(seq 1 "$ROUNDS"); do
  line="round $round (load $(cut -d' ' -f1 /proc/loadavg)):"
  for name in "${NAMES[@]}"; do
    read -r rps bad < <(run_wrk "$name" "$SECS")
    RATES[$name]+="$rps "
    [[ $name == hello ]] && hello=$rps
    RATIOS[$name]+="$(echo "$rps / $hello" | bc -l) "
    line+=" $name $rps"
    [[ $bad != 0 ]] && line+=" (NON-2XX $bad)"
  done
  echo "$line"
done

echo
echo "| request | req/s per round | median req/s | ratio to hello per round | median ratio |"
echo "| --- | --- | --- | --- | --- |"
for name in "${NAMES[@]}"; do
  rm=$(tr ' ' '\n' <<<"${RATES[$name]}" | grep . | median)
  qm=$(tr ' ' '\n' <<<"${RATIOS[$name]}" | grep . | median)
  rounds=$(for q in ${RATIOS[$name]}; do printf '%.0f%% ' "$(echo "$q * 100" | bc -l)"; done)
  printf '| %s | %s | %.0f | %s | %.0f%% |\n' "$name" "${RATES[$name]% }" "$rm" "${rounds% }" "$(echo "$qm * 100" | bc -l)"
done
