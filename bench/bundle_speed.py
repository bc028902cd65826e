"""Decode speed of the packaged app (portable llama.cpp, CPU kernels chosen at run time) against a
virtualenv whose llama.cpp was compiled for this very CPU (-march=native).

    python bench/bundle_speed.py --native-python /path/to/native-venv/bin/python \\
        [--bundle packaging/dist/hanashi/hanashi] [--rounds 7] [--model MODEL.gguf]

Both sides run the same command, ``hanashi chat MODEL --temp 0 --max-tokens N --stats --threads T``,
on the same model and prompt, in interleaved rounds (bundle, native, bundle, …) so a busy machine
slows both alike. The table gives median and spread of decode tokens/s and the ratio of medians.
Without --model, a random-weight GPT-NeoX of hidden 1024 × 12 layers (≈150 M parameters, q4_k_m)
is built once in ~/.cache/hanashi/bench (needs the reference extra).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "日本の四季について、春から順に詳しく説明してください。\n"
STATS = re.compile(r"\[(\d+) tokens, ([\d.]+) tok/s")


def bench_model() -> Path:
    cache = Path.home() / ".cache" / "hanashi" / "bench"
    out = cache / "neox-1024x12-q4_k_m.gguf"
    if out.exists():
        return out
    sys.path.insert(0, str(ROOT))
    from quantize.convert import convert
    from quantize.tiny.models import build_neox

    with tempfile.TemporaryDirectory() as d:
        src = build_neox(Path(d) / "japanese-gpt-neox-bench", hidden=1024, layers=12, heads=8, ffn=4096)
        cache.mkdir(parents=True, exist_ok=True)
        convert(src, out, "q4_k_m")
    return out


def run_once(cmd: list[str], model: Path, tokens: int, threads: int) -> float:
    r = subprocess.run([*cmd, "chat", str(model), "--temp", "0", "--max-tokens", str(tokens), "--stats",
                        "--threads", str(threads)], input=PROMPT, capture_output=True, text=True, timeout=900,
                       cwd=ROOT)
    m = STATS.search(r.stderr)
    if r.returncode != 0 or not m:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stderr[-2000:]}")
    return float(m.group(2))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--native-python", required=True, help="python of a venv built with -DGGML_NATIVE=ON")
    ap.add_argument("--bundle", default=str(ROOT / "packaging" / "dist" / "hanashi" / "hanashi"))
    ap.add_argument("--model", type=Path)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    model = args.model or bench_model()
    sides = {"bundle (portable)": [args.bundle], "venv (-march=native)": [args.native_python, "-m", "app"]}
    speeds: dict[str, list[float]] = {k: [] for k in sides}
    for _ in range(args.rounds):
        for name, cmd in sides.items():
            speeds[name].append(run_once(cmd, model, args.tokens, args.threads))
    print(f"model: {model.name}, {args.tokens} tokens, {args.threads} threads, {args.rounds} interleaved rounds\n")
    print("| build | decode tok/s, median | min – max |")
    print("|---|---|---|")
    for name, values in speeds.items():
        print(f"| {name} | {statistics.median(values):.1f} | {min(values):.1f} – {max(values):.1f} |")
    ratio = statistics.median(speeds["bundle (portable)"]) / statistics.median(speeds["venv (-march=native)"])
    print(f"\nbundle / native (ratio of medians): {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
