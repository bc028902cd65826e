"""``hanashi-quantize``: convert a Hugging Face folder to GGUF, and prove the result faithful."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ConversionError
from .families import FAMILY_NAMES


class _Bars:
    """One terminal progress bar per stage (writing, quantizing), in bytes."""

    def __init__(self):
        self.bars = {}

    def __call__(self, stage: str, done: int, total: int, detail: str) -> None:
        if stage == "parity":
            print(detail, file=sys.stderr)
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            label = {"write": "writing", "quantize": "quantizing"}.get(stage, stage)
            bar = self.bars[stage] = tqdm(total=total, desc=label, unit="B", unit_scale=True,
                                          unit_divisor=1024, file=sys.stderr, leave=True)
        bar.total = total
        bar.update(done - bar.n)

    def close(self):
        for bar in self.bars.values():
            bar.close()


def _convert(args) -> int:
    from .convert import convert

    bars = _Bars()
    try:
        result = convert(args.model_dir, args.output, args.type, family=args.family,
                         measure_parity=not args.skip_parity, progress=bars, threads=args.threads)
    finally:
        bars.close()
    size = result.path.stat().st_size
    print(f"wrote {result.path} ({size / 2**20:.1f} MiB, {result.out_type}, family {result.family}, "
          f"{result.n_params / 1e6:.1f}M parameters) in {result.seconds:.1f}s")
    if result.token_parity is not None:
        print(result.token_parity.format())
    return 0


def _verify(args) -> int:
    from .verify import verify

    report = verify(args.gguf, args.reference, logits=not args.no_logits, threads=args.threads)
    print(report.format())
    return 0 if report.ok else 3


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="hanashi-quantize", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="convert a Hugging Face safetensors folder to GGUF")
    c.add_argument("model_dir", type=Path)
    c.add_argument("-o", "--output", type=Path, required=True, help="output .gguf path")
    c.add_argument("--type", default="q4_k_m",
                   help="f32, f16, bf16, q8_0, q6_k, q5_k_m, q5_k_s, q5_0, q4_k_m, q4_k_s, q4_0, q3_k_m, q2_k")
    c.add_argument("--family", choices=FAMILY_NAMES, help="conversation format (detected from the name otherwise)")
    c.add_argument("--skip-parity", action="store_true", help="do not measure tokenizer parity")
    c.add_argument("--threads", type=int, default=None)
    c.set_defaults(func=_convert)
    v = sub.add_parser("verify", help="compare a GGUF with its original checkpoint")
    v.add_argument("gguf", type=Path)
    v.add_argument("--reference", type=Path, required=True, help="the Hugging Face folder it came from")
    v.add_argument("--no-logits", action="store_true", help="tokenizer parity only")
    v.add_argument("--threads", type=int, default=None)
    v.set_defaults(func=_verify)
    args = p.parse_args(argv)
    try:
        return args.func(args)
    except ConversionError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cancelled; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
