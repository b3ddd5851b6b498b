"""Cores per thread group between two snapshots of cpubench.sh.

usage: python3 cpudiff.py BEFORE AFTER SECONDS
SECONDS: the time between the two snapshots (a 30 s step and its drain: about 32).
JVM threads are grouped by name with trailing digits dropped (Linux keeps 15 characters of a
thread name); PostgreSQL processes by their title (database and client), matched by pid.
"""
import collections
import os
import re
import sys


def load(path):
    ticks = collections.Counter()
    total = idle = 0
    for line in open(path):
        parts = line.split()
        if parts[0] == 'total':
            total = sum(int(x) for x in parts[2:])
            idle = int(parts[5])
            continue
        if len(parts) < 3 or not parts[2].isdigit():
            continue  # a thread that ended while it was read
        kind, name, value = parts[0], parts[1], int(parts[2])
        if kind == 'java':
            name = re.sub(r'\d+$', 'N', name)
        ticks[(kind, name)] += value
    return ticks, total, idle


def main():
    before, t0, i0 = load(sys.argv[1])
    after, t1, i1 = load(sys.argv[2])
    seconds = float(sys.argv[3])
    hz = os.sysconf('SC_CLK_TCK')
    diff = collections.Counter()
    for (kind, name), value in after.items():
        if kind == 'pg':
            pid, _, title = name.partition(':')
            old = [v for (k, n), v in before.items() if k == 'pg' and n.startswith(pid + ':')]
            diff[('pg', title)] += value - (old[0] if old else 0)
        else:
            diff[(kind, name)] += value - before.get((kind, name), 0)
    print(f'machine busy {(1 - (i1 - i0) / (t1 - t0)) * 100:.0f}%')
    for (kind, name), value in diff.most_common(25):
        if value > 0:
            print(f'{value / hz / seconds:6.3f} cores  {kind} {name}')
    for kind in ('java', 'pg'):
        print(f'{kind} total {sum(v for (k, _), v in diff.items() if k == kind) / hz / seconds:.2f} cores')


if __name__ == '__main__':
    main()
