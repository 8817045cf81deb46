#!/usr/bin/env bash
# jobs.sh [N=20000] [ROUNDS=3]: no-op jobs/s end to end, forge in memory vs JobRunr 8.7.0 in memory
# (200 ms poll), alternating in one run, then create -> runner pickup on an idle queue.
# Both JVMs run with the same (default) flags: the peer harness passes none, so neither does this.
# The peer harnesses live outside the repository: set FORGE_PEERS to their folder (default: the
# `shared/peers` folder beside the repository's main checkout).
set -euo pipefail
N=${1:-20000}
ROUNDS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=${FORGE_PEERS:-$(dirname "$(dirname "$(git -C "$ROOT" rev-parse --path-format=absolute --git-common-dir)")")/shared/peers}
JAR="$ROOT/forge-benchmarks/target/forge-benchmarks.jar"
[[ -x "$PEERS/jobrunr-bench/run.sh" ]] || { echo "JobRunr harness not found in $PEERS (set FORGE_PEERS)" >&2; exit 2; }
if [[ ! -f "$JAR" ]]; then
  (cd "$ROOT" && mvn -B -q -Pbench -pl forge-benchmarks -am package -DskipTests)
fi

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
forge_rates=(); jobrunr_rates=(); ratios=()
for round in $(seq 1 "$ROUNDS"); do
  out=$(java -cp "$JAR" dev.forge.bench.JobThroughput "$N")
  grep '^FORGE' <<<"$out"
  f=$(sed -n 's/.*FORGE RESULT.*=> \([0-9]*\) jobs\/s.*/\1/p' <<<"$out")
  out=$("$PEERS/jobrunr-bench/run.sh" PT0.2S "$N")
  grep '^JOBRUNR' <<<"$out"
  j=$(sed -n 's/.*JOBRUNR RESULT.*=> \([0-9]*\) jobs\/s;.*/\1/p' <<<"$out")
  r=$(echo "$f / $j" | bc -l)
  printf 'round %s: forge %s jobs/s, JobRunr %s jobs/s, ratio %.1fx (load average %s)\n' "$round" "$f" "$j" "$r" "$(cut -d' ' -f1 /proc/loadavg)"
  forge_rates+=("$f"); jobrunr_rates+=("$j"); ratios+=("$(printf '%.1f' "$r")")
done
fm=$(printf '%s\n' "${forge_rates[@]}" | median)
jm=$(printf '%s\n' "${jobrunr_rates[@]}" | median)
echo
rm=$(printf '%s\n' "${ratios[@]}" | median)
echo "| N | forge jobs/s (rounds) | JobRunr 8.7.0 jobs/s (rounds) | forge median | JobRunr median | ratio of medians | ratio per round | median of ratios |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '| %s | %s | %s | %s | %s | %.1fx | %s | %.1fx |\n' "$N" "${forge_rates[*]}" "${jobrunr_rates[*]}" "$fm" "$jm" \
  "$(echo "$fm / $jm" | bc -l)" "${ratios[*]}" "$rm"
echo
java -cp "$JAR" dev.forge.bench.PickupLatency 5000
