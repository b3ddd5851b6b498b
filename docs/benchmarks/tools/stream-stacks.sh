#!/usr/bin/env bash
# Samples the stacks of the transform's stream threads with jstack: N dumps, INTERVAL seconds
# apart, each thread's state and top 14 frames, appended to OUT. Counting the samples by their top
# frames gives the table of docs/benchmarks §One store for the grades path (poll, commit, RocksDB).
# Usage: stream-stacks.sh PID OUT N INTERVAL_SECONDS
set -euo pipefail
if [ $# -ne 4 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 PID OUT N INTERVAL_SECONDS" >&2
  exit 2
fi
pid=$1 out=$2 n=$3 interval=$4
: > "$out"
for _ in $(seq "$n"); do
  jstack "$pid" | awk '/^"edu2lms-transform.*StreamThread/{p=1; c=0; print "THREAD " $1; next}
    p && /Thread.State/{print "STATE " $2; next}
    p && /^[ \t]+at /{c++; if (c <= 14) print; next}
    p && /^[ \t]*$/{p=0}' >> "$out"
  sleep "$interval"
done
