"""``python -m quantize.tiny KIND OUTDIR``: write a tiny test checkpoint (``bygpt``: the byte-level
multi-head model, random weights, in Hanashi's layout table)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m quantize.tiny", description=__doc__)
    p.add_argument("kind", choices=("bygpt",), help="which tiny checkpoint")
    p.add_argument("outdir", type=Path)
    p.add_argument("--dtype", choices=("float32", "float16", "bfloat16"), default="float32")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.kind == "bygpt":
        from .bygpt import build_bygpt

        out = build_bygpt(args.outdir, dtype=args.dtype, seed=args.seed)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
