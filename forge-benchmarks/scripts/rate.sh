#!/usr/bin/env bash
# rate.sh [RATE=1000] [SECONDS=30] [WARMUP=10]: latency of create, status and history at a constant
# request rate (dev.forge.bench.ConstantRateLoad: counted from each request's intended start, so
# stalls are not hidden), p50/p99/p99.9 and errors.
#
# status and history go to the example server with everything in memory; create goes to a
# FORGE_ROLE=api node on the local Redis (database FORGE_BENCH_REDIS_DB, default 13, flushed
# before and after), so that creating builds does not run them. Rate and admission limits are
# raised to their maxima, as in load.sh.
set -euo pipefail
RATE=${1:-1000}
SECS=${2:-30}
WARMUP=${3:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SERVER="$ROOT/forge-examples/target/forge-server.jar"
JAR="$ROOT/forge-benchmarks/target/forge-benchmarks.jar"
DB=${FORGE_BENCH_REDIS_DB:-13}
MEM_PORT=${MEM_PORT:-18180}; API_PORT=${API_PORT:-18181}
[[ -f "$SERVER" ]] || (cd "$ROOT" && mvn -B -q -pl forge-examples -am package -DskipTests)
[[ -f "$JAR" ]] || (cd "$ROOT" && mvn -B -q -Pbench -pl forge-benchmarks -am package -DskipTests)

WORK=$(mktemp -d /tmp/forge-rate.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  redis-cli -n "$DB" flushdb >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '=+/' | head -c 40)
export FORGE_JWT_SECRET=$SECRET FORGE_SANDBOX=off \
  FORGE_RATE_LIMIT_REQUESTS_PER_MINUTE=1000000 FORGE_RATE_LIMIT_BUILDS_PER_MINUTE=1000000 \
  FORGE_MAX_ACTIVE_TASKS_PER_USER=1000000 FORGE_MAX_QUEUED_TASKS=10000000
redis-cli -n "$DB" flushdb >/dev/null
FORGE_PORT=$MEM_PORT java -jar "$SERVER" >"$WORK/mem.log" 2>&1 & PIDS+=($!)
FORGE_PORT=$API_PORT FORGE_ROLE=api FORGE_REDIS_URL="redis://127.0.0.1:6379/$DB" \
  java -jar "$SERVER" >"$WORK/api.log" 2>&1 & PIDS+=($!)
for url in "http://127.0.0.1:$MEM_PORT/api/health" "http://127.0.0.1:$API_PORT/api/health"; do
  for i in $(seq 1 240); do curl -s -o /dev/null "$url" && break; sleep 0.5; done
done
TOKEN=$(java -jar "$SERVER" token --user alice)

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$JAR" dev.forge.bench.ConstantRateLoad "http://127.0.0.1:$MEM_PORT" "$TOKEN" status "$RATE" "$SECS" "$WARMUP"
java -cp "$JAR" dev.forge.bench.ConstantRateLoad "http://127.0.0.1:$MEM_PORT" "$TOKEN" history "$RATE" "$SECS" "$WARMUP"
java -cp "$JAR" dev.forge.bench.ConstantRateLoad "http://127.0.0.1:$API_PORT" "$TOKEN" create "$RATE" "$SECS" "$WARMUP"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
