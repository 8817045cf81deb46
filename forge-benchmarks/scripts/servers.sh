# servers.sh: sourced by load.sh and rate.sh. Starts the servers they measure and stops them on exit.
#
# Call start_servers after sourcing: it starts the example server with everything in memory on
# MEM_PORT and, unless FORGE_BENCH_SKIP_API=1, a FORGE_ROLE=api node on the local Redis on API_PORT
# (database FORGE_BENCH_REDIS_DB, default 13, flushed before and after) and, unless
# FORGE_BENCH_SKIP_MEM_API=1, an API node with everything in memory whose workers are never started
# on MEM_API_PORT (dev.forge.examples.InMemoryApiNode: the builds it creates stay queued in its heap
# until it stops); it waits until they answer and sets TOKEN (a user token for alice). Rate and
# admission limits are at their maxima so the figures measure the work of a request, not its
# refusal.
#
# FORGE_BENCH_REDIS=HOST:PORT picks another Redis than 127.0.0.1:6379 (say, a private one).
# FORGE_SERVER_JAR picks another server jar (say, an older build to compare with).
# FORGE_BENCH_JFR=FOLDER records a JFR file of each server there (mem-, api- and mem-api-<time>.jfr;
# settings FORGE_BENCH_JFR_SETTINGS, default: jdk.GarbageCollection, jdk.SafepointBegin, execution
# samples), to tell GC, JIT and scheduling stalls apart.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SERVER=${FORGE_SERVER_JAR:-$ROOT/forge-examples/target/forge-server.jar}
DB=${FORGE_BENCH_REDIS_DB:-13}
REDIS=${FORGE_BENCH_REDIS:-127.0.0.1:6379}
REDIS_CLI=(redis-cli -h "${REDIS%:*}" -p "${REDIS##*:}" -n "$DB")
MEM_PORT=${MEM_PORT:-18180}; API_PORT=${API_PORT:-18181}; MEM_API_PORT=${MEM_API_PORT:-18182}
SKIP_API=${FORGE_BENCH_SKIP_API:-0}
SKIP_MEM_API=${FORGE_BENCH_SKIP_MEM_API:-0}
[[ -f "$SERVER" ]] || (cd "$ROOT" && mvn -B -q -pl forge-examples -am package -DskipTests)

WORK=$(mktemp -d "/tmp/forge-$(basename "$0" .sh).XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ $SKIP_API == 1 ]] || "${REDIS_CLI[@]}" flushdb >/dev/null 2>&1 || true
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

jfr_flags() { # name -> the JVM flag that records its JFR file, when FORGE_BENCH_JFR is set
  [[ -n ${FORGE_BENCH_JFR:-} ]] || return 0
  mkdir -p "$FORGE_BENCH_JFR"
  echo "-XX:StartFlightRecording=filename=$FORGE_BENCH_JFR/$1-$(date +%H%M%S).jfr,settings=${FORGE_BENCH_JFR_SETTINGS:-default}"
}

start_servers() {
  FORGE_PORT=$MEM_PORT java $(jfr_flags mem) -jar "$SERVER" >"$WORK/mem.log" 2>&1 & PIDS+=($!)
  if [[ $SKIP_API != 1 ]]; then
    "${REDIS_CLI[@]}" flushdb >/dev/null
    FORGE_PORT=$API_PORT FORGE_ROLE=api FORGE_REDIS_URL="redis://$REDIS/$DB" \
      java $(jfr_flags api) -jar "$SERVER" >"$WORK/api.log" 2>&1 & PIDS+=($!)
  fi
  if [[ $SKIP_MEM_API != 1 ]]; then
    FORGE_PORT=$MEM_API_PORT java $(jfr_flags mem-api) -cp "$SERVER" dev.forge.examples.InMemoryApiNode >"$WORK/mem-api.log" 2>&1 &
    MEM_API_PID=$!; PIDS+=($!)
  fi
  await_up "http://127.0.0.1:$MEM_PORT/api/health"
  [[ $SKIP_API == 1 ]] || await_up "http://127.0.0.1:$API_PORT/api/health"
  [[ $SKIP_MEM_API == 1 ]] || await_up "http://127.0.0.1:$MEM_API_PORT/api/health"
  TOKEN=$(java -jar "$SERVER" token --user alice)
}

mem_api_heap() { # the in-memory API node's heap after a full GC: what its queued builds keep
  jcmd "$MEM_API_PID" GC.run >/dev/null 2>&1 || true
  jcmd "$MEM_API_PID" GC.heap_info 2>/dev/null | sed -n 's/.*heap *total \([0-9]*\)K, used \([0-9]*\)K.*/\2 \1/p' \
    | awk '{printf "%.0f MB used of %.0f MB", $1 / 1024, $2 / 1024}'
}
