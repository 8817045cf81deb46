#!/usr/bin/env bash
# The Redis chaos check (issue 9): a private Redis, one API node and two worker JVMs of the
# example server, 1,000 short builds, a random worker killed with kill -9 five times (and
# restarted); then every build must be completed, none lost or stuck, each concluded once, no job
# left in the queue and no build process left. See dev.forge.bench.RedisChaos for the checks.
#
#   forge-benchmarks/chaos/redis-chaos.sh            # one run
#   RUNS=3 forge-benchmarks/chaos/redis-chaos.sh     # three runs in a row, stops at the first failure
#   BUILDS=200 KILLS=3 forge-benchmarks/chaos/redis-chaos.sh
#
# Needs redis-server and bubblewrap (builds run sandboxed, so a killed worker's builds die with
# it). Builds forge-examples/target/forge-server.jar first if it is missing (never mvn install).
# Exit code 0 when every run passed.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-1}
builds=${BUILDS:-1000}
kills=${KILLS:-5}
jar="$root/forge-examples/target/forge-server.jar"
driver="$root/forge-benchmarks/src/main/java/dev/forge/bench/RedisChaos.java"

command -v redis-server >/dev/null || { echo "redis-chaos: redis-server is not installed" >&2; exit 2; }
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q package -pl forge-examples -am -DskipTests)
fi

work=$(mktemp -d /tmp/forge-chaos-XXXXXX)
port=6390
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  port=$((port + 1))
done

cleanup() {
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# a private Redis without persistence: nothing of the shared one is touched
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
  --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
for _ in $(seq 1 100); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

status=0
for run in $(seq 1 "$runs"); do
  echo "=== chaos run $run of $runs ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
  if ! java -cp "$jar" "$driver" --redis="redis://127.0.0.1:$port/0" --jar="$jar" \
      --work="$work/run-$run" --builds="$builds" --kills="$kills"; then
    status=1
    echo "=== chaos run $run FAILED; the nodes' logs were in $work/run-$run/logs:"
    tail -n 30 "$work/run-$run"/logs/*.log || true
    break
  fi
done
exit $status
