#!/usr/bin/env bash
# Per-thread CPU of a running JVM (e.g. the one of `./edu2lms bench load`), sampled every
# INTERVAL seconds until it exits: one file per sample, "tid<TAB>thread name<TAB>CPU ticks"
# (utime + stime, in clock ticks: 100 per second here). The difference of two samples, summed by
# thread name, is the split used in docs/benchmarks §One store for the grades path:
#   awk -F'\t' 'FNR==NR{p[$1]=$3; next} {n=$2; gsub(/[0-9]+/,"#",n); g[n]+=$3-p[$1]} END{for(k in g) print g[k], k}' A B | sort -rn
# Usage: thread-cpu.sh PID OUT_DIR [INTERVAL_SECONDS]
set -euo pipefail
if [ $# -lt 2 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 PID OUT_DIR [INTERVAL_SECONDS]" >&2
  exit 2
fi
pid=$1 out=$2 interval=${3:-10}
mkdir -p "$out"
while kill -0 "$pid" 2>/dev/null; do
  for t in /proc/"$pid"/task/*; do
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    name=$(cat "$t/comm" 2>/dev/null) || continue
    read -r -a f <<< "${stat##*) }"
    printf '%s\t%s\t%s\n' "${t##*/}" "$name" $((f[11] + f[12]))
  done > "$out/snap-$(date +%s).tsv"
  sleep "$interval"
done
