#!/usr/bin/env bash
# load.sh [ROUNDS=3] [SECONDS_PER_ROUND=10] [WARMUP_SECONDS=30]: requests/s of forge's example server
# against a bare Javalin 7.2.3 hello-world, side by side in one run, with wrk -t2 -c64.
#
# Starts four JVMs with default flags: bare Javalin hello (the peer harness), the example server
# with everything in memory (status, history, health), a FORGE_ROLE=api node on the local Redis
# (create: authenticated, validated, rate-limited, admitted and queued, no workers) and an API node
# with everything in memory whose workers are never started (create-mem: the same work without
# Redis; its queued builds stay in its heap, printed at the end). Each target is warmed up once,
# then rounds alternate hello, status, history, health, create, create-mem; each round's ratio is
# to the hello figure of the same round, and the table shows the medians.
#
# Rate limits and admission limits are raised to their maxima so the figures measure the work of
# a request, not its refusal (non-2xx answers are printed; a round with any is flagged).
# The api node uses Redis database FORGE_BENCH_REDIS_DB (default 13), which is flushed before and
# after; FORGE_BENCH_SKIP_API=1 leaves it (and create) out, FORGE_BENCH_SKIP_MEM_API=1 create-mem. The peer harnesses live outside the
# repository: set FORGE_PEERS to their folder. servers.sh (sourced) starts and stops the servers.
set -euo pipefail
ROUNDS=${1:-3}
SECS=${2:-10}
WARMUP=${3:-30}
PEERS=${FORGE_PEERS:-$(dirname "$(dirname "$(git -C "$(dirname "$0")" rev-parse --path-format=absolute --git-common-dir)")")/shared/peers}
HELLO_PORT=${HELLO_PORT:-7180}
[[ -x "$PEERS/javalin-hello/run.sh" ]] || { echo "Javalin hello harness not found in $PEERS (set FORGE_PEERS)" >&2; exit 2; }
source "$(dirname "$0")/servers.sh"

"$PEERS/javalin-hello/run.sh" "$HELLO_PORT" >"$WORK/hello.log" 2>&1 & PIDS+=($!)
start_servers
await_up "http://127.0.0.1:$HELLO_PORT/hello"
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

NAMES=(hello status history health)
[[ $SKIP_API == 1 ]] || NAMES+=(create)
[[ $SKIP_MEM_API == 1 ]] || NAMES+=(create-mem)
declare -A URL=(
  [hello]="http://127.0.0.1:$HELLO_PORT/hello"
  [status]="http://127.0.0.1:$MEM_PORT/api/build/$ID"
  [history]="http://127.0.0.1:$MEM_PORT/api/build/?limit=20"
  [health]="http://127.0.0.1:$MEM_PORT/api/health"
  [create]="http://127.0.0.1:$API_PORT/api/build/"
  [create-mem]="http://127.0.0.1:$MEM_API_PORT/api/build/")
declare -A SCRIPT=([hello]="" [status]="$WORK/auth.lua" [history]="$WORK/auth.lua" [health]=""
  [create]="$WORK/create.lua" [create-mem]="$WORK/create.lua")
declare -A LABEL=([create]="create, api node on Redis" [create-mem]="create, in memory, workers not started")

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
  printf '| %s | %s | %.0f | %s | %.0f%% |\n' "${LABEL[$name]:-$name}" "${RATES[$name]% }" "$rm" "${rounds% }" "$(echo "$qm * 100" | bc -l)"
done
[[ $SKIP_MEM_API == 1 ]] || echo "create-mem node heap after a full GC: $(mem_api_heap)"
