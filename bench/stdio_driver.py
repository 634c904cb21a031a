#!/usr/bin/env python3
"""Light stdio driver for pgmcp's benchmark: keeps N tools/call requests in flight over pgmcp's stdin
and stdout for T seconds and reports calls/s, latency percentiles, errors, pgmcp's CPU per call
and peak RSS (VmHWM) from /proc, and its own CPU per call (getrusage). Python 3 standard library only; responses are matched by id without
parsing their JSON, so the driver costs little next to the server.

  bench/stdio_driver.py --in-flight N --duration S --out result.json -- PGMCP serve --dsn ... --config ...
"""
import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time

CALL = ('{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"%s",'
        '"arguments":{"where":{"%s":%d}}}}\n')
ID = re.compile(rb'"id":(\d+)')


def proc_cpu_seconds(pid):
    """(utime + stime, utime) of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, int(fields[11]) / tick


def proc_status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, -(-len(sorted_values) * p // 100) - 1))
    return sorted_values[int(k)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--in-flight", type=int, default=1)
    ap.add_argument("--duration", type=float, default=10)
    ap.add_argument("--tool", default="query_orders")
    ap.add_argument("--column", default="customer_id")
    ap.add_argument("--max-value", type=int, default=2000)
    ap.add_argument("--label", default="")
    ap.add_argument("--out", default="")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    opt = ap.parse_args()
    command = opt.command[1:] if opt.command[:1] == ["--"] else opt.command
    if not command or opt.in_flight < 1:
        ap.error("usage: stdio_driver.py [--in-flight N] [--duration S] -- PGMCP_COMMAND...")

    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    out, inp = server.stdout, server.stdin
    reader = out  # unbuffered raw pipe; lines are assembled below

    buffered = b""

    def read_line():
        nonlocal buffered
        while True:
            i = buffered.find(b"\n")
            if i >= 0:
                line, buffered = buffered[:i], buffered[i + 1:]
                return line
            chunk = os.read(reader.fileno(), 1 << 16)
            if not chunk:
                raise EOFError("pgmcp closed its stdout")
            buffered += chunk

    inp.write(b'{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",'
              b'"capabilities":{},"clientInfo":{"name":"pgmcp-stdio-driver","version":"1"}}}\n')
    if b'"result"' not in read_line():
        sys.exit("stdio_driver: initialize failed")
    inp.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    idle_rss = proc_status_kb(server.pid, "VmRSS")

    sent_at = {}
    latencies = []
    errors = {"jsonrpc": 0, "tool": 0}
    next_id = 1
    value = 0

    def send():
        nonlocal next_id, value
        value = value % opt.max_value + 1
        sent_at[next_id] = time.perf_counter()
        inp.write((CALL % (next_id, opt.tool, opt.column, value)).encode())
        next_id += 1

    cpu0 = proc_cpu_seconds(server.pid)
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    deadline = started + opt.duration
    for _ in range(opt.in_flight):
        send()
    while sent_at:
        line = read_line()
        now = time.perf_counter()
        m = ID.search(line)
        if not m or int(m.group(1)) not in sent_at:
            continue  # a notification, or not ours
        t0 = sent_at.pop(int(m.group(1)))
        if b'"error"' in line[:40]:
            errors["jsonrpc"] += 1
        elif b'"isError":true' in line:
            errors["tool"] += 1
        else:
            latencies.append(now - t0)
        if now < deadline:
            send()
    elapsed = time.perf_counter() - started
    cpu1 = proc_cpu_seconds(server.pid)
    cpu, cpu_user = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    driver_user = self1.ru_utime - self0.ru_utime
    driver = driver_user + self1.ru_stime - self0.ru_stime
    hwm = proc_status_kb(server.pid, "VmHWM")
    inp.close()
    code = server.wait(timeout=30)

    latencies.sort()
    ok = len(latencies)
    ms = lambda p: round(percentile(latencies, p) * 1000, 3)
    result = {
        "label": opt.label or f"pgmcp stdio, {opt.in_flight} in flight",
        "in_flight": opt.in_flight,
        "duration_s": round(elapsed, 2),
        "ok": ok,
        "calls_per_s": round(ok / elapsed, 1),
        "latency_ms": {"p50": ms(50), "p95": ms(95), "p99": ms(99), "max": ms(100)},
        "errors": {k: v for k, v in errors.items() if v},
        "cpu": {"server_us_per_call": round(cpu * 1e6 / ok, 1) if ok else None,
                "server_user_us_per_call": round(cpu_user * 1e6 / ok, 1) if ok else None,
                "server_core_pct": round(100 * cpu / elapsed, 1),
                "driver_us_per_call": round(driver * 1e6 / ok, 1) if ok else None,
                "driver_user_us_per_call": round(driver_user * 1e6 / ok, 1) if ok else None},
        "rss_kb": {"idle_kb": idle_rss, "hwm_kb": hwm},
        "exit_code": code,
    }
    text = json.dumps(result)
    print(text)
    if opt.out:
        with open(opt.out, "w") as f:
            f.write(text + "\n")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
