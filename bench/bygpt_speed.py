"""Decode speed of a byte-level multi-head model (byGPT): Hanashi's hybrid vs the PyTorch reference.

    .venv/bin/python bench/bygpt_speed.py                       # builds the tiny checkpoint first
    .venv/bin/python bench/bygpt_speed.py --gguf M.gguf --hf HF_DIR [--threads 4] [--steps 64]

Hybrid: llama.cpp runs the backbone, NumPy the merge and the 4 heads (``app.engine.bygpt``).
Reference: ``tests/bygpt_reference.py`` in PyTorch on the CPU, with transformers' KV cache (one
position per step, as the hybrid). Both greedy, same prompt, same thread count, no stop; best of
``--repeats``. Then one step of the hybrid split into its parts: merge (NumPy), backbone
(llama.cpp), heads (NumPy), sampling (NumPy). Goal: merge + heads ≤ 10% of a step. Prints a table;
not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROMPT = "日本三景一覧:\n1. 広島県, 宮島\n2. 京都府, 天橋立\n3. 宮城県, "


def hybrid_decode(engine, steps: int) -> tuple[float, float, int]:
    """(bytes/s, characters/s, positions) of greedy decoding from a cached prompt."""
    from app.engine.bygpt_generate import generate_positions

    engine.clear_cache()
    params = engine.sampling(temperature=0, max_new_tokens=steps)
    g = generate_positions(engine.runtime, engine.heads, engine.codec.stream, engine.encode(PROMPT), params, [])
    decode_s = g.prompt_seconds + g.generate_seconds - g.first_token_seconds  # after the first position
    n = g.n_generated - 1
    return 4 * n / decode_s, n / decode_s, g.n_generated


def hybrid_split(engine, steps: int) -> dict[str, float]:
    """Seconds spent in each part of each decode step (the loop of generate_positions)."""
    import numpy as np

    from app.engine.bygpt_generate import pack
    from app.engine.bygpt_sampling import ByteSampler

    rt, heads = engine.runtime, engine.heads
    engine.clear_cache()
    keys = engine.encode(PROMPT)
    groups = np.frombuffer(b"".join(k.to_bytes(4, "big") for k in keys), dtype=np.uint8).reshape(-1, 4)
    hidden = rt.decode_rows(heads.merge(groups), keys)
    sampler = ByteSampler(engine.sampling(temperature=0), 4, 0)
    from app.engine.bygpt_model import OneBlasThread

    t = {k: [] for k in ("merge", "backbone", "heads", "sampling")}
    clock = time.perf_counter
    with OneBlasThread():
        _steps(t, clock, steps, rt, heads, sampler, hidden, pack)
    return t


def _steps(t, clock, steps, rt, heads, sampler, hidden, pack) -> None:
    for _ in range(steps):
        a = clock()
        logits = heads.logits(hidden)
        b = clock()
        group = sampler.sample(logits)
        c = clock()
        row = heads.merge_one(group)
        d = clock()
        hidden = rt.decode_rows(row, [pack(group)])
        e = clock()
        t["heads"].append(b - a)
        t["sampling"].append(c - b)
        t["merge"].append(d - c)
        t["backbone"].append(e - d)


def arithmetic(engine) -> dict[str, float]:
    """Multiply-adds per decode step: the NumPy parts (merge as P lookups + the heads) and the whole,
    from the GGUF's backbone tensor shapes (attention over the cache left out: small at these lengths)."""
    from quantize.gguf_info import read_header

    _kv, tensors, _start = read_header(engine.path)
    backbone = sum(int(shape[0]) * int(shape[1]) for name, shape, *_ in tensors
                   if name.startswith("blk.") and len(shape) == 2)
    h = engine.heads
    numpy_part = h.n_heads * h.n_vocab * h.n_embd + h.per_position * h.n_embd
    return {"numpy": numpy_part, "total": numpy_part + backbone}


def reference_decode(ref, steps: int) -> tuple[float, float]:
    """(bytes/s, characters/s) of the PyTorch reference, greedy, with transformers' KV cache."""
    import torch
    from transformers import DynamicCache

    ids = list(ref.tokenizer.bos + bytes(ref.tokenizer.encode(PROMPT)))
    with torch.no_grad():
        cache = DynamicCache()
        out = ref.model(inputs_embeds=ref.merged(torch.tensor([ids])), cache=cache, use_cache=True)
        h = out.last_hidden_state[:, -1]
        t0 = None
        for i in range(steps):
            if i == 1:
                t0 = time.perf_counter()
            group = [int(head(h).argmax(-1)) for head in ref.lm_heads]
            x = ref.merged(torch.tensor([group]))
            out = ref.model(inputs_embeds=x, cache=cache, use_cache=True)
            h = out.last_hidden_state[:, -1]
        s = time.perf_counter() - t0
    n = steps - 1
    return 4 * n / s, n / s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", type=Path, help="a converted byGPT GGUF (default: the tiny checkpoint, f32)")
    ap.add_argument("--hf", type=Path, help="its checkpoint folder, for the PyTorch reference")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=64, help="positions decoded per run (4 bytes each)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--hidden", type=int, default=256, help="width of the built checkpoint (default: the tiny one's)")
    ap.add_argument("--layers", type=int, default=2, help="layers of the built checkpoint")
    args = ap.parse_args()

    import torch

    from app.engine import Engine
    from quantize import llama_log
    from tests.bygpt_reference import ByGPTReference

    llama_log.quiet()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="hanashi-bygpt-bench-") as tmp:
        gguf, hf = args.gguf, args.hf
        if gguf is None:
            from quantize.convert import convert
            from quantize.tiny.bygpt import build_bygpt

            hf = build_bygpt(Path(tmp) / "tiny-bygpt", hidden=args.hidden, layers=args.layers, ffn=2 * args.hidden)
            gguf = Path(tmp) / "tiny-bygpt-f32.gguf"
            convert(hf, gguf, "f32", measure_parity=False)
        engine = Engine.load(gguf, gpu_layers=0, n_ctx=max(256, 2 * args.steps + 64), threads=args.threads)
        ref = ByGPTReference.from_pretrained(hf) if hf else None
        hybrid = max((hybrid_decode(engine, args.steps) for _ in range(args.repeats)), key=lambda r: r[0])
        parts: dict[str, list[float]] = {}
        for _ in range(args.repeats):
            for k, v in hybrid_split(engine, args.steps).items():
                parts.setdefault(k, []).extend(v)
        split = {k: statistics.median(v) for k, v in parts.items()}  # the median step: least disturbed
        torch_row = max((reference_decode(ref, args.steps) for _ in range(args.repeats)),
                        key=lambda r: r[0]) if ref else None
        macs = arithmetic(engine)
        engine.close()

    print(f"\nbyGPT decode speed — {Path(gguf).name}, {args.threads} thread(s), {args.steps} positions, greedy")
    print(f"  {'runtime':<34} {'bytes/s':>10} {'chars/s':>10}")
    print(f"  {'Hanashi hybrid (llama.cpp + NumPy)':<34} {hybrid[0]:>10.1f} {hybrid[1]:>10.1f}")
    if torch_row:
        print(f"  {'PyTorch reference (CPU, KV cache)':<34} {torch_row[0]:>10.1f} {torch_row[1]:>10.1f}")
        print(f"  hybrid / reference: {hybrid[0] / torch_row[0]:.2f}×")
    total = sum(split.values())
    print(f"\n  one hybrid step (median of each part): {total * 1e6:.0f} µs")
    for k, v in split.items():
        print(f"    {k:<10} {v * 1e6:>8.1f} µs  {100 * v / total:>5.1f}%")
    share = (split["merge"] + split["heads"]) / total
    print(f"  merge + heads: {100 * macs['numpy'] / macs['total']:.1f}% of the model's arithmetic per step "
          f"({macs['numpy'] / 1e6:.2f}M of {macs['total'] / 1e6:.2f}M multiply-adds)")
    print(f"  merge + heads (NumPy): {100 * share:.1f}% of a step — {'OK' if share <= 0.10 else 'OVER'} (goal ≤ 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
