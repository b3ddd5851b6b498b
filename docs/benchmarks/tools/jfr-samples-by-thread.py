#!/usr/bin/env python3
"""Execution samples of a JFR recording by thread group, and the frames of a chosen group.

Used in docs/benchmarks §Debezium's poll interval 5 ms (session 20) for the table "Where the CPU
goes". Input is the text of `jfr print` (JDK 17 or newer):

    jfr print --stack-depth 80 --events jdk.ExecutionSample rec.jfr > samples.txt
    docs/benchmarks/tools/jfr-samples-by-thread.py samples.txt                     # shares by thread group
    docs/benchmarks/tools/jfr-samples-by-thread.py samples.txt 'request-handler' 60  # + that group's frames

Thread names are grouped by replacing UUIDs with X and digits with N (so the two stream threads,
or the eight broker request handlers, count together). For the chosen group (a regular
expression on the grouped name) it prints each method's inclusive share (samples with the method
anywhere on the stack) and the top self frames.
"""
import collections
import re
import sys


def group(thread):
    thread = re.sub(r'[0-9a-f]{8}-[0-9a-f-]{27}', 'X', thread)
    return re.sub(r'\d+', 'N', thread)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    events = open(sys.argv[1]).read().split('jdk.ExecutionSample {')[1:]
    counts = collections.Counter()
    stacks = collections.defaultdict(list)
    for e in events:
        m = re.search(r'sampledThread = "([^"]*)"', e)
        name = group(m.group(1)) if m else '?'
        frames = []
        if 'stackTrace = [' in e:
            frames = re.findall(r'^\s{4}(\S.*?)(?: line: \d+)?$', e.split('stackTrace = [')[1], re.M)
            frames = [f for f in frames if f not in (']', '...')]
        counts[name] += 1
        stacks[name].append(frames)
    total = sum(counts.values())
    print('samples', total)
    for name, n in counts.most_common(25):
        print(f'{n:6d} {100 * n / total:5.1f}% {name}')
    if len(sys.argv) > 2:
        chosen = re.compile(sys.argv[2])
        top = int(sys.argv[3]) if len(sys.argv) > 3 else 60
        inclusive, own, n = collections.Counter(), collections.Counter(), 0
        for name, ss in stacks.items():
            if not chosen.search(name):
                continue
            for frames in ss:
                n += 1
                if frames:
                    own[frames[0]] += 1
                for method in {re.sub(r'\(.*', '', f) for f in frames}:
                    inclusive[method] += 1
        print('== samples of the chosen threads', n)
        print('-- inclusive')
        for method, c in inclusive.most_common(top):
            print(f'{c:6d} {100 * c / n:5.1f}% {method}')
        print('-- self')
        for method, c in own.most_common(25):
            print(f'{c:6d} {100 * c / n:5.1f}% {method}')


if __name__ == '__main__':
    main()
