"""Thread counts side by side: Hanashi's default vs llama-cpp-python's vs every CPU, idle and busy.

    .venv/bin/python bench/threads.py [--gguf model.gguf] [--rounds 5]

One model and one llama.cpp context; before each run the context's thread counts are set to a
candidate's (decode, prompt batch) with ``llama_set_n_threads``. A run evaluates a prompt from an
empty cache, then decodes tokens one at a time. Candidates take turns within each round (the
order rotates), so drift in the machine's load hits them alike; the table shows the median and
the range over the rounds. "as found" is the machine with whatever else is running on it; "one
busy program" adds one program spinning on a CPU (a child process in a busy loop), as when a
build or a browser tab is working beside the chat. Hanashi's automatic choice is made at the
start of each condition, as at a model load. Two candidates with the same decode count do the
same decoding work: their difference there is the measurement's noise.

Without ``--gguf`` a model of the rinna 3.6b's width with 4 layers (random weights, q4_k_m) is
built once under ``--workdir``. Prints a Markdown table; a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def spin() -> None:
    while True:
        pass


def build_model(work: Path, layers: int) -> Path:
    from bench.real_shape import build_checkpoint
    from quantize.convert import convert

    out = work / f"threads-3.6b-width-{layers}l-q4_k_m.gguf"
    if not out.exists():
        src = work / f"neox-3.6b-width-{layers}l"
        print(f"building a {layers}-layer model of the 3.6b's width in {work} …", file=sys.stderr, flush=True)
        build_checkpoint(src, layers)
        convert(src, out, "q4_k_m", measure_parity=False)
    return out


def candidates(logical: int) -> dict[tuple[int, int], list[str]]:
    """(decode, batch) → the names of the policies that choose it, with Hanashi's automatic choice
    made now (it measures how busy the machine is) and on an idle machine."""
    from app.engine.threads import default_choice, llama_cpp_python_default

    now, idle = default_choice(), default_choice(busy=0.0)
    named = [(f"Hanashi automatic (chosen now: {now.busy} core{'s' if now.busy != 1 else ''} busy)",
              (now.decode, now.batch)),
             ("Hanashi automatic on an idle machine", (idle.decode, idle.batch)),
             ("llama-cpp-python default", llama_cpp_python_default()),
             ("every CPU (previous default)", (logical, logical)),
             ("physical cores, both", (idle.physical, idle.physical)),
             ("one thread", (1, 1))]
    out: dict[tuple[int, int], list[str]] = {}
    for name, pair in named:
        out.setdefault(pair, []).append(name)
    return out


def one_run(rt, lib, pair: tuple[int, int], prompt: list[int], new: int) -> tuple[float, float]:
    """(prompt tok/s, decode tok/s) with ``pair`` = (decode threads, batch threads)."""
    lib.llama_set_n_threads(rt.ctx, pair[0], pair[1])
    rt.clear()
    t0 = time.perf_counter()
    rt.decode(prompt)
    t1 = time.perf_counter()
    for i in range(new):
        rt.decode([prompt[i % len(prompt)]])
    t2 = time.perf_counter()
    return len(prompt) / (t1 - t0), new / (t2 - t1)


def measure(rt, lib, pairs, prompt, new, rounds) -> dict[tuple[int, int], list[tuple[float, float]]]:
    results = {p: [] for p in pairs}
    for r in range(rounds):
        order = pairs[r % len(pairs):] + pairs[:r % len(pairs)]
        for pair in order:
            results[pair].append(one_run(rt, lib, pair, prompt, new))
    return results


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f} ({min(values):.1f}–{max(values):.1f})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", type=Path)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/hanashi-bench-threads"))
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--prompt-tokens", type=int, default=64)
    ap.add_argument("--new-tokens", type=int, default=24)
    args = ap.parse_args(argv)

    from quantize import llama_lib, llama_log

    llama_log.quiet()
    from app.engine.runtime import LlamaRuntime
    from app.engine.threads import default_choice, usable_cpus

    gguf = args.gguf or build_model(args.workdir, args.layers)
    lib = llama_lib.load()
    choice = default_choice(busy=0.0)
    logical = len(usable_cpus())
    pairs = sorted({(d, b) for d in range(1, logical + 1) for b in (d, logical)} | set(candidates(logical)))
    rt = LlamaRuntime(gguf, 512, choice.decode, 0)
    prompt = [4 + (i * 7919) % 3990 for i in range(args.prompt_tokens)]
    one_run(rt, lib, pairs[0], prompt[:16], 4)  # warm-up
    print(f"model: {gguf.name} ({gguf.stat().st_size / 2**20:.0f} MiB); machine: {choice.physical} physical "
          f"cores, {logical} usable CPUs (topology from {choice.source}); {args.rounds} interleaved rounds, "
          f"{args.prompt_tokens}-token prompt, {args.new_tokens} decoded tokens", flush=True)
    tables = {}
    named = {}
    named["as found"] = candidates(logical)
    tables["as found"] = measure(rt, lib, pairs, prompt, args.new_tokens, args.rounds)
    spinner = multiprocessing.get_context("spawn").Process(target=spin, daemon=True)
    spinner.start()
    try:
        time.sleep(0.5)
        named["one busy program"] = candidates(logical)
        tables["one busy program"] = measure(rt, lib, pairs, prompt, args.new_tokens, args.rounds)
    finally:
        spinner.kill()
        spinner.join()
    rt.close()

    print()
    print("| machine | threads (decode / prompt) | chosen by | prompt tok/s median (range) | "
          "decode tok/s median (range) | prompt, decode vs llama-cpp-python |")
    print("|---|---|---|---|---|---|")
    for condition, results in tables.items():
        names = named[condition]
        base = next(p for p, n in names.items() if "llama-cpp-python default" in n)

        def med(pair, i):
            return statistics.median(r[i] for r in results[pair])

        for pair in pairs:
            rows = results[pair]
            print(f"| {condition} | {pair[0]} / {pair[1]} | {', '.join(names.get(pair, ['–']))} | "
                  f"{cell([p for p, _ in rows])} | {cell([d for _, d in rows])} | "
                  f"{med(pair, 0) / med(base, 0):.2f}×, {med(pair, 1) / med(base, 1):.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
