#!/usr/bin/env bash
# CPU time per thread of the pipeline JVM and per PostgreSQL process during `bench live`
# (docs/benchmarks §The sink's round trips per batch). JFR's samples count a preempted thread as
# running, which misleads on a saturated 2-core machine; /proc does not.
#
# usage: docs/benchmarks/cpu-per-thread/cpubench.sh OUT_PREFIX [bench live options...]
#   runs `java -Xmx2g -jar $JAR bench live --scale 0.1 --rates 1000,1000,1000 <options>` (JAR
#   defaults to cli/target/edu2lms.jar: copy it elsewhere first if you rebuild meanwhile) and,
#   each time a "rate" line appears (the end of a step), writes OUT_PREFIX.cpuN with utime+stime
#   (clock ticks) of every JVM thread (by name) and every postgres process (by pid and title).
#   Then: python3 docs/benchmarks/cpu-per-thread/cpudiff.py OUT_PREFIX.cpu1 OUT_PREFIX.cpu2 30
#   prints cores per thread group over the second step (the third step's end races the shutdown).
set -euo pipefail
out=$1; shift
jar=${JAR:-cli/target/edu2lms.jar}
log=$out.log
java -Xmx2g -jar "$jar" bench live --scale 0.1 --rates 1000,1000,1000 "$@" > "$log" 2>&1 &
pid=$!
snap() {
  {
    for t in /proc/$pid/task/*; do
      echo "java $(tr ' ' '_' < "$t/comm" 2>/dev/null) $(awk '{print $14+$15}' "$t/stat" 2>/dev/null)"
    done
    for p in $(pgrep -f postgres); do
      for t in /proc/$p/task/*; do
        echo "pg $p:$(tr '\0' ' ' < /proc/$p/cmdline | awk '{print $2"_"$3"_"$4}') $(awk '{print $14+$15}' "$t/stat" 2>/dev/null)"
      done
    done
    echo "total $(head -1 /proc/stat)"
  } > "$1"
}
seen=0
while kill -0 $pid 2>/dev/null; do
  n=$(grep -c "^      rate" "$log" || true)
  if [ "$n" -gt "$seen" ]; then seen=$n; snap "$out.cpu$n"; fi
  sleep 0.2
done
wait $pid
