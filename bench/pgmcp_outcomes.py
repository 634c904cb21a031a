#!/usr/bin/env python3
"""pgmcp's own count of the outcomes of tool calls, for a wrk phase that does not read response bodies
(bench/wrk/tools_call.lua): finished tools/call requests by status (pgmcp_tool_calls_total) and HTTP
responses that were not 200 (pgmcp_http_requests_total), read from pgmcp's GET /metrics (docs/reference.md,
"Metrics"); with them, how the pool ran the calls: statement executions that found their named statement
prepared on the connection and those that prepared it (pgmcp_pool_statement_cache_{hits,misses}_total),
and calls that shared a round trip (pgmcp_pool_shared_calls_total). Standard library only.

  bench/pgmcp_outcomes.py URL                                    counts so far, as JSON
  bench/pgmcp_outcomes.py URL --since BEFORE.json --connections N  what happened since BEFORE.json

URL is pgmcp's /mcp URL (or any URL on its listener). With --since, "tool_errors" counts the calls
that did not succeed: every status other than ok and cancelled, and cancellations beyond N (when wrk
stops, it closes its N connections with a call in flight on each, and pgmcp cancels those calls).
"""
import argparse
import json
import re
import sys
import urllib.parse
import urllib.request

SAMPLE = re.compile(r'^(pgmcp_tool_calls_total|pgmcp_http_requests_total)\{([^}]*)\} (\S+)$')
POOL = {"pgmcp_pool_statement_cache_hits_total": "statement_hits",
        "pgmcp_pool_statement_cache_misses_total": "statement_misses",
        "pgmcp_pool_shared_calls_total": "shared_calls"}
LABEL = re.compile(r'(\w+)="([^"]*)"')


def counts(url):
    parts = urllib.parse.urlsplit(url)
    metrics = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/metrics", "", ""))
    with urllib.request.urlopen(metrics, timeout=10) as response:
        text = response.read().decode()
    result = {"ok": 0, "cancelled": 0, "failed": 0, "http_not_200": 0}
    result.update({key: 0 for key in POOL.values()})
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name in POOL:
            result[POOL[name]] = int(float(value))
            continue
        m = SAMPLE.match(line)
        if not m:
            continue
        labels, value = dict(LABEL.findall(m.group(2))), int(float(m.group(3)))
        if m.group(1) == "pgmcp_http_requests_total":
            if labels.get("code") != "200":
                result["http_not_200"] += value
        elif labels.get("status") in ("ok", "cancelled"):
            result[labels["status"]] += value
        else:
            result["failed"] += value
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--since", help="the JSON this script printed before the phase")
    ap.add_argument("--connections", type=int, default=0, help="wrk's connections (calls it may leave cancelled)")
    opt = ap.parse_args()
    now = counts(opt.url)
    if opt.since:
        with open(opt.since) as f:
            before = json.load(f)
        now = {k: v - before[k] for k, v in now.items()}
        now["tool_errors"] = now["failed"] + max(0, now["cancelled"] - opt.connections)
    json.dump(now, sys.stdout)
    print()


if __name__ == "__main__":
    main()
