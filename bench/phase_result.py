#!/usr/bin/env python3
"""Completes one phase's result for bench/run: the driver's JSON (pgbench's figures, wrk's, the stdio
driver's) plus what bench/run measured around it, written as the phase's JSON; prints a summary line
to stderr and exits 2 when any call of the phase failed. Standard library only.

  bench/phase_result.py IN.json OUT.json [--field KEY=JSON]... [--cpu WHO=TOTAL,USER]...
                        [--outcomes DELTA.json --connections N]

--cpu: the CPU seconds WHO (server, database or driver) used over the phase, in total (user + system)
  and in user space alone; they become cpu.WHO_us_per_call and cpu.WHO_user_us_per_call, divided by
  the phase's successful calls ("ok"). The server's also gives cpu.server_core_pct; the database's
  also pg_cpu_s (the seconds), as before.
--outcomes: pgmcp's own count of outcomes over a wrk phase (bench/pgmcp_outcomes.py --since), which
  does not read bodies: tool errors, non-200 responses pgmcp sent, and calls wrk saw answered that
  pgmcp never counted (a JSON-RPC error instead of a tool result) join the errors, and "ok" loses the
  tool errors.
"""
import argparse
import json
import sys


def per_call(seconds, ok):
    return round(seconds * 1e6 / ok, 1) if ok else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("--field", action="append", default=[])
    ap.add_argument("--cpu", action="append", default=[])
    ap.add_argument("--outcomes")
    ap.add_argument("--connections", type=int, default=0)
    opt = ap.parse_args()
    with open(opt.source) as f:
        r = json.load(f)
    for item in opt.field:
        key, value = item.split("=", 1)
        r[key] = json.loads(value)

    if opt.outcomes:
        with open(opt.outcomes) as f:
            o = json.load(f)
        errors = r.setdefault("errors", {})
        errors["http"] = max(errors.get("http", 0), o["http_not_200"])
        errors["tool"] = o["tool_errors"]
        errors["unanswered"] = max(0, r["ok"] - o["ok"] - o["failed"] - o["cancelled"])
        r["ok"] = max(0, r["ok"] - o["tool_errors"])
        r["calls_per_s"] = round(r["ok"] / r["duration_s"], 1) if r.get("duration_s") else r["calls_per_s"]
        r["pgmcp_outcomes"] = o

    cpu = r.setdefault("cpu", {})
    for item in opt.cpu:
        who, seconds = item.split("=", 1)
        total, user = (float(v) for v in seconds.split(","))
        cpu[f"{who}_us_per_call"] = per_call(total, r["ok"])
        cpu[f"{who}_user_us_per_call"] = per_call(user, r["ok"])
        if who == "server" and r.get("duration_s"):
            cpu["server_core_pct"] = round(100 * total / r["duration_s"], 1)
        if who == "database":
            r["pg_cpu_s"] = total
    with open(opt.target, "w") as f:
        json.dump(r, f, indent=2)
        f.write("\n")

    failed = r["failed"] if "failed" in r else sum((r.get("errors") or {}).values())
    us = lambda who: (f", {who} {cpu[who + '_us_per_call']} µs ({cpu.get(who + '_user_us_per_call')} user)"
                      if cpu.get(who + "_us_per_call") is not None else "")
    hwm = (r.get("rss_kb") or {}).get("hwm_kb")
    print(f"{r['label']}: {r['calls_per_s']} calls/s, p50 {r['latency_ms']['p50']} ms, p99 {r['latency_ms']['p99']} ms, "
          f"errors {r.get('errors', failed)}; CPU per call{us('server')}{us('database')}{us('driver')}"
          + (f"; VmHWM {hwm} kB" if hwm else ""), file=sys.stderr)
    if failed:
        print(f"bench: {r['label']}: {failed} call(s) failed ({r.get('errors', 'see pgbench output')})", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
