#!/usr/bin/env python3
"""The server's own time per request during one scenario, from two scrapes of /metrics.

    python3 benches/load/server_time.py before.txt after.txt

Reads the histogram `lectern_http_request_duration_seconds` (from the request reaching the
router to the response head), subtracts the first scrape from the second, and prints the upper
bounds of the buckets holding the p50, p95 and p99: for all routes together, then for each route
with at least 1 % of the requests. wrk's latency also counts the time a request waits for the
server to read it; this does not, so the gap between the two is queueing.
"""
import re
import sys
from collections import defaultdict

LINE = re.compile(r'lectern_http_request_duration_seconds_bucket\{(.*)\} (\S+)')
LABEL = re.compile(r'(\w+)="([^"]*)"')


def buckets(path):
    out = defaultdict(dict)
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            labels = dict(LABEL.findall(m.group(1)))
            le = float('inf') if labels['le'] == '+Inf' else float(labels['le'])
            out[(labels.get('method', ''), labels.get('route', ''))][le] = float(m.group(2))
    return out


def quantile(hist, p):
    les = sorted(hist)
    total = hist[les[-1]]
    for le in les:
        if hist[le] >= p * total:
            return le
    return les[-1]


def show(le):
    if le == float('inf'):
        return '> 10 s'
    return f'{le * 1000:g} ms'


def line(name, hist):
    n = hist[max(hist)]
    qs = ', '.join(f'p{int(p * 100)} ≤ {show(quantile(hist, p))}' for p in (0.5, 0.95, 0.99))
    return f'{name:<45} {int(n):>9}  {qs}'


def main():
    before, after = buckets(sys.argv[1]), buckets(sys.argv[2])
    routes = {}
    for key, hist in after.items():
        old = before.get(key, {})
        diff = {le: v - old.get(le, 0.0) for le, v in hist.items()}
        if diff and max(diff.values()) > 0:
            routes[key] = diff
    if not routes:
        print('  server time: no requests recorded')
        return
    total = defaultdict(float)
    for hist in routes.values():
        for le, v in hist.items():
            total[le] += v
    count = total[max(total)]
    print('  server time (lectern_http_request_duration_seconds, this scenario):')
    print('    ' + line('all routes', total))
    for (method, route), hist in sorted(routes.items(), key=lambda kv: -kv[1][max(kv[1])]):
        if hist[max(hist)] >= 0.01 * count:
            print('    ' + line(f'{method} {route}', hist))


if __name__ == '__main__':
    main()
