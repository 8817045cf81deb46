#!/usr/bin/env bash
# rate.sh [RATE=1000] [SECONDS=30] [WARMUP=10]: latency of create, status and history at a constant
# request rate (dev.forge.bench.ConstantRateLoad: counted from each request's intended start, so
# stalls are not hidden), p50/p99/p99.9 and errors.
#
# status and history go to the example server with everything in memory; create goes to a
# FORGE_ROLE=api node on the local Redis (database FORGE_BENCH_REDIS_DB, default 13, flushed
# before and after), so that creating builds does not run them; create-mem goes to an API node with
# everything in memory whose workers are never started (FORGE_BENCH_SKIP_MEM_API=1 leaves it out). Rate and admission limits are
# raised to their maxima, as in load.sh. servers.sh (sourced) starts and stops the servers:
# FORGE_BENCH_SKIP_API=1 leaves the api node and create out, FORGE_BENCH_JFR=FOLDER records a JFR
# file of each server (GC pauses, safepoints) during the run.
set -euo pipefail
RATE=${1:-1000}
SECS=${2:-30}
WARMUP=${3:-10}
source "$(dirname "$0")/servers.sh"
JAR=${FORGE_BENCH_JAR:-$ROOT/forge-benchmarks/target/forge-benchmarks.jar}
[[ -f "$JAR" ]] || (cd "$ROOT" && mvn -B -q -Pbench -pl forge-benchmarks -am package -DskipTests)
start_servers

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$JAR" dev.forge.bench.ConstantRateLoad "http://127.0.0.1:$MEM_PORT" "$TOKEN" status "$RATE" "$SECS" "$WARMUP"
java -cp "$JAR" dev.forge.bench.ConstantRateLoad "http://127.0.0.1:$MEM_PORT" "$TOKEN" history "$RATE" "$SECS" "$WARMUP"
[[ $SKIP_API == 1 ]] || \
  java -cp "$JAR" dev.forge.bench.ConstantRateLoad "http://127.0.0.1:$API_PORT" "$TOKEN" create "$RATE" "$SECS" "$WARMUP"
[[ $SKIP_MEM_API == 1 ]] || { echo -n "create-mem: "; \
  java -cp "$JAR" dev.forge.bench.ConstantRateLoad "http://127.0.0.1:$MEM_API_PORT" "$TOKEN" create "$RATE" "$SECS" "$WARMUP"; }
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
