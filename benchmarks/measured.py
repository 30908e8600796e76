"""Run one command and print its CPU seconds, wall seconds and peak memory, as JSON.

    python benchmarks/measured.py OUT -- COMMAND ...   # COMMAND's output goes to OUT (- : none)

The benchmark starts every timed command through this small process, because Linux counts in
a process's peak memory (``ru_maxrss``) the memory of the process that started it, as it was
when it started it: started from the benchmark, which holds big graphs, every command would
seem to need as much as the benchmark.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    out, sep, cmd = argv[0], argv[1], argv[2:]
    assert sep == "--" and cmd, __doc__
    stdout = open(out, "w") if out != "-" else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if out != "-":
        stdout.close()
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                      "peak": usage.ru_maxrss / 1024, "code": code}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
