"""Turns the verbose output of a llama.cpp build into one progress line.

    pip wheel -v llama-cpp-python ... 2>&1 | python scripts/build_progress.py

Ninja prints ``[12/150] Building C object ...`` for each step; this prints ``compiling llama.cpp:
12/150 (8%)`` — rewritten in place on a terminal, every 10% otherwise — and nothing else.
"""

from __future__ import annotations

import re
import sys

STEP = re.compile(r"\[(\d+)/(\d+)\]")


def main() -> int:
    tty = sys.stderr.isatty()
    shown = -1
    for line in sys.stdin:
        m = STEP.search(line)
        if not m:
            continue
        done, total = int(m.group(1)), int(m.group(2))
        pct = 100 * done // max(total, 1)
        if tty:
            sys.stderr.write(f"\r  compiling llama.cpp: {done}/{total} ({pct}%)")
            sys.stderr.flush()
        elif pct // 10 != shown // 10 or done == total:
            print(f"  compiling llama.cpp: {done}/{total} ({pct}%)", file=sys.stderr, flush=True)
        shown = pct
    if tty and shown >= 0:
        sys.stderr.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
