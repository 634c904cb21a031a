#!/usr/bin/env python3
"""Runs a command and writes the CPU it used, in seconds, to FILE as "TOTAL,USER" (user + system, and
user alone; getrusage of the children this script waited for, so the command and every thread and
process it waited for, not this script); exits with the command's status. bench/run measures its
drivers' (wrk's, pgbench's) own CPU with it. Standard library only.

  bench/cpu_of.py FILE COMMAND [ARGS...]
"""
import resource
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    code = subprocess.call(sys.argv[2:])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(sys.argv[1], "w") as f:
        f.write(f"{usage.ru_utime + usage.ru_stime:.3f},{usage.ru_utime:.3f}\n")
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
