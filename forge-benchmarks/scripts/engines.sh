#!/usr/bin/env bash
# engines.sh [ROUNDS=3] [JVM options...]: the shared engines beside their peers, in one sequential run.
# Each round: BullMQ 6.7.0, then RedisThroughput with 1 and 2 worker JVMs (20,000 jobs after a
# 20,000-job warm-up); then each round: db-scheduler 16.7.1, then PostgresThroughput with 1 and 2
# worker JVMs (10,000 jobs after a 5,000-job warm-up). Prints the drivers' result, CPU-per-job and
# pickup lines as they come. JVM options, if given, go to every forge JVM (the driver's and, through
# FORGE_BENCH_WORKER_JVM_OPTS, the workers'), e.g. the small-node flags of docs/server.md:
#   forge-benchmarks/scripts/engines.sh 3 -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
# Needs the local Redis (127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432, database test). The peer
# harnesses live outside the repository: set FORGE_PEERS to their folder (default: the
# `shared/peers` folder beside the repository's main checkout).
set -euo pipefail
ROUNDS=${1:-3}
shift || true
OPTS=("$@")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=${FORGE_PEERS:-$(dirname "$(dirname "$(git -C "$ROOT" rev-parse --path-format=absolute --git-common-dir)")")/shared/peers}
JAR="$ROOT/forge-benchmarks/target/forge-benchmarks.jar"
for peer in bullmq-bench dbscheduler-bench; do
  [[ -x "$PEERS/$peer/run.sh" ]] || { echo "$peer harness not found in $PEERS (set FORGE_PEERS)" >&2; exit 2; }
done
if [[ ! -f "$JAR" ]]; then
  (cd "$ROOT" && mvn -B -q -Pbench -pl forge-benchmarks -am package -DskipTests)
fi
export FORGE_BENCH_WORKER_JVM_OPTS="${OPTS[*]}"
forge() { java "${OPTS[@]}" "$@" 2>&1 | grep -E 'RESULT|CPU per job|PICKUP' || true; }
# RedisThroughput leaves its keys (prefix fb<hex>:) for inspection; remove them between runs
clean() { redis-cli --scan --pattern 'fb*:*' | xargs -r -n 1000 redis-cli del >/dev/null; }

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); forge JVM options: [${OPTS[*]}]"
for round in $(seq 1 "$ROUNDS"); do
  echo "## Redis, round $round ($(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1 /proc/loadavg))"
  "$PEERS/bullmq-bench/run.sh" 20000 50 | grep RESULT
  for k in 1 2; do
    forge -Dforge.bench.warmup=20000 -cp "$JAR" dev.forge.bench.RedisThroughput 20000 "$k" 16
    clean
  done
done
for round in $(seq 1 "$ROUNDS"); do
  echo "## PostgreSQL, round $round ($(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1 /proc/loadavg))"
  "$PEERS/dbscheduler-bench/run.sh" 20000 20 2>&1 | grep RESULT
  forge -Dforge.bench.warmup=5000 -cp "$JAR" dev.forge.bench.PostgresThroughput 10000 20 1 2
done
