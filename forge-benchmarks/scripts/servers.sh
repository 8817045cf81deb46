# servers.sh: sourced by load.sh and rate.sh. Starts the servers they measure and stops them on exit.
#
# Call start_servers after sourcing: it starts the example server with everything in memory on
# MEM_PORT and, unless FORGE_BENCH_SKIP_API=1, a FORGE_ROLE=api node on the local Redis on API_PORT
# (database FORGE_BENCH_REDIS_DB, default 13, flushed before and after), waits until they answer
# and sets TOKEN (a user token for alice). Rate and admission limits are at their maxima so the
# figures measure the work of a request, not its refusal.
#
# FORGE_SERVER_JAR picks another server jar (say, an older build to compare with).
# FORGE_BENCH_JFR=FOLDER records a JFR file of the in-memory server there (default profile:
# jdk.GarbageCollection, jdk.SafepointBegin, execution samples), to tell GC, JIT and scheduling
# stalls apart.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SERVER=${FORGE_SERVER_JAR:-$ROOT/forge-examples/target/forge-server.jar}
DB=${FORGE_BENCH_REDIS_DB:-13}
MEM_PORT=${MEM_PORT:-18180}; API_PORT=${API_PORT:-18181}
SKIP_API=${FORGE_BENCH_SKIP_API:-0}
[[ -f "$SERVER" ]] || (cd "$ROOT" && mvn -B -q -pl forge-examples -am package -DskipTests)

WORK=$(mktemp -d "/tmp/forge-$(basename "$0" .sh).XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ $SKIP_API == 1 ]] || redis-cli -n "$DB" flushdb >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '=+/' | head -c 40)
export FORGE_JWT_SECRET=$SECRET FORGE_SANDBOX=off FORGE_LOG_FORMAT=json \
  FORGE_RATE_LIMIT_REQUESTS_PER_MINUTE=1000000 FORGE_RATE_LIMIT_BUILDS_PER_MINUTE=1000000 \
  FORGE_MAX_ACTIVE_TASKS_PER_USER=1000000 FORGE_MAX_QUEUED_TASKS=10000000

await_up() { # url
  for _ in $(seq 1 240); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done
  echo "not up: $1" >&2; cat "$WORK"/*.log >&2; exit 1
}

start_servers() {
  local jfr=()
  [[ -n ${FORGE_BENCH_JFR:-} ]] && mkdir -p "$FORGE_BENCH_JFR" \
    && jfr=("-XX:StartFlightRecording=filename=$FORGE_BENCH_JFR/mem-$(date +%H%M%S).jfr,settings=default")
  FORGE_PORT=$MEM_PORT java "${jfr[@]}" -jar "$SERVER" >"$WORK/mem.log" 2>&1 & PIDS+=($!)
  if [[ $SKIP_API != 1 ]]; then
    redis-cli -n "$DB" flushdb >/dev/null
    FORGE_PORT=$API_PORT FORGE_ROLE=api FORGE_REDIS_URL="redis://127.0.0.1:6379/$DB" \
      java -jar "$SERVER" >"$WORK/api.log" 2>&1 & PIDS+=($!)
  fi
  await_up "http://127.0.0.1:$MEM_PORT/api/health"
  [[ $SKIP_API == 1 ]] || await_up "http://127.0.0.1:$API_PORT/api/health"
  TOKEN=$(java -jar "$SERVER" token --user alice)
}
