"""Generation speed: Hanashi's engine vs llama-cpp-python's ``Llama.__call__`` vs transformers.

    .venv/bin/python bench/generate.py                 # builds a small rinna-like model first
    .venv/bin/python bench/generate.py --gguf model.gguf [--hf hf_folder]

All llama.cpp numbers come from the same GGUF, the same thread count and greedy decoding, in one
run, interleaved and repeated; the best of the repeats is shown (the one least disturbed by other
work on the machine). Prints a table; not a test. Goal: the engine within 3% of plain
llama-cpp-python.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quantize import llama_log  # noqa: E402


def build_model(root: Path, hidden: int, layers: int, out_type: str, steps: int) -> tuple[Path, Path]:
    from quantize.convert import convert
    from quantize.tiny.models import build_neox

    hf = root / "bench-japanese-gpt-neox-instruction-sft"
    heads = max(1, hidden // 64)
    # A few training steps, so greedy decoding writes real text: a random model writes lone UTF-8
    # bytes, for which Llama.__call__ keeps generating past max_tokens (it waits for whole characters).
    print(f"building a {layers}-layer, {hidden}-wide rinna-like model ({steps} training steps) …", flush=True)
    build_neox(hf, hidden=hidden, layers=layers, heads=heads, ffn=4 * hidden, train_steps=steps)
    gguf = root / f"bench-{out_type}.gguf"
    convert(hf, gguf, out_type, measure_parity=True)
    return gguf, hf


def prompt_tokens(engine, n: int) -> list[int]:
    from quantize.tiny.text import paragraphs

    text = "".join(paragraphs(400, seed=7))
    tokens = engine.encode(text)
    if len(tokens) < n:
        raise SystemExit(f"could not make a {n}-token prompt")
    return tokens[:n]


def run_engine(engine, prompt: list[int], new: int):
    """Prompt tok/s, decode tok/s, tokens generated: Hanashi's engine, from an empty cache."""
    engine.clear_cache()
    params = engine.sampling(temperature=0, repetition_penalty=1.0, max_new_tokens=new)
    g = engine.generate(prompt, params, reuse_text=False)
    decode_s = g.prompt_seconds + g.generate_seconds - g.first_token_seconds
    return len(prompt) / g.prompt_seconds, (g.n_generated - 1) / decode_s, g.n_generated


def run_llama(llm, prompt: list[int], new: int):
    """The same with ``Llama.__call__``: one call for the first token, one for the whole reply.

    (Streaming cannot time tokens here: it holds text back until it is valid UTF-8.)
    """
    llm.reset()
    t0 = time.perf_counter()
    llm(prompt, max_tokens=1, temperature=0.0, repeat_penalty=1.0)
    ttft = time.perf_counter() - t0
    if llm.n_tokens != len(prompt):
        print(f"warning: Llama.__call__ generated {llm.n_tokens - len(prompt) + 1} tokens for max_tokens=1",
              file=sys.stderr)
    llm.reset()
    t0 = time.perf_counter()
    out = llm(prompt, max_tokens=new, temperature=0.0, repeat_penalty=1.0)
    total = time.perf_counter() - t0
    n = out["usage"]["completion_tokens"]
    return len(prompt) / ttft, (n - 1) / (total - ttft), n


def run_transformers(hf: Path, prompt: list[int], new: int, threads: int):
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(threads)
    model = AutoModelForCausalLM.from_pretrained(str(hf), dtype=torch.float32).eval()
    ids = torch.tensor([prompt])
    with torch.no_grad():
        model(ids)  # warm-up
        t0 = time.perf_counter()
        model(ids)
        prompt_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = model.generate(ids, max_new_tokens=new, min_new_tokens=new, do_sample=False,
                             pad_token_id=0, eos_token_id=None)
        total = time.perf_counter() - t0
    n = out.shape[1] - len(prompt)
    return len(prompt) / prompt_s, (n - 1) / max(total - prompt_s, 1e-9), n


def history_ttft(engine, history_tokens: int, repeats: int):
    """Time to first token for a new message after a ~N-token conversation, with/without reuse."""
    from app.engine import ChatSession
    from app.formats import Turn
    from quantize.tiny.text import QUESTIONS, paragraphs

    answers = paragraphs(200, seed=3)
    turns: list[Turn] = []
    while engine.count_tokens(engine.format.render([], turns + [Turn("user", "x")])) < history_tokens:
        i = len(turns) // 2
        turns += [Turn("user", QUESTIONS[i % len(QUESTIONS)]), Turn("assistant", answers[i])]
    n = engine.count_tokens(engine.format.render([], turns))
    sampling = {"temperature": 0, "max_new_tokens": 8}
    reuse, full = [], []
    for _ in range(repeats):
        session = ChatSession(engine, "", sampling, turns=turns[:-2])
        engine.clear_cache()
        session.reply(turns[-2].content)  # the conversation so far is now in the KV cache
        session.turns[-1] = turns[-1]
        r = session.reply("ありがとう。")
        reuse.append((r.first_token_seconds, r.n_prompt_evaluated, r.n_prompt_tokens))
        engine.clear_cache()
        session.turns = session.turns[:-2]
        r = session.reply("ありがとう。")
        full.append((r.first_token_seconds, r.n_prompt_evaluated, r.n_prompt_tokens))
    pick = lambda rows: min(rows)  # noqa: E731  best of the repeats: least disturbed by other load
    return n, pick(reuse), pick(full)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", type=Path, help="benchmark this GGUF instead of building one")
    ap.add_argument("--hf", type=Path, help="the Hugging Face folder of the same model (for transformers)")
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--type", default="q8_0", help="GGUF type for the built model (f32, f16, q8_0, …)")
    ap.add_argument("--train-steps", type=int, default=40, help="training steps for the built model")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--history-tokens", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-transformers", action="store_true")
    args = ap.parse_args(argv)

    llama_log.quiet()
    from quantize.llama_lib import load

    Llama = load().Llama

    from app.engine import Engine
    from app.engine.loader import default_threads

    threads = args.threads or default_threads()
    with tempfile.TemporaryDirectory(prefix="hanashi-bench-") as tmp:
        gguf, hf = args.gguf, args.hf
        if gguf is None:
            gguf, built = build_model(Path(tmp), args.hidden, args.layers, args.type, args.train_steps)
            hf = hf or built
        n_ctx = max(2048, args.prompt_tokens + args.new_tokens + 16, args.history_tokens + 256)
        engine = Engine.load(gguf, n_ctx=n_ctx, threads=threads)
        llm = Llama(str(gguf), n_ctx=engine.n_ctx, n_batch=512, n_threads=threads, n_threads_batch=threads,
                    verbose=False)
        prompt = prompt_tokens(engine, args.prompt_tokens)
        print(f"model: {gguf.name} ({gguf.stat().st_size / 2**20:.0f} MiB, {engine.info.n_layer} layers, "
              f"{engine.info.n_embd} wide), {engine.backend}, prompt {len(prompt)} tokens, "
              f"{args.new_tokens} new tokens, greedy, best of {args.repeats}", flush=True)
        run_engine(engine, prompt[:32], 4)  # warm-up both
        run_llama(llm, prompt[:32], 4)
        rows = {"hanashi engine": [], "llama-cpp-python Llama.__call__": []}
        for _ in range(args.repeats):  # interleaved, so drift in machine load hits both alike
            rows["hanashi engine"].append(run_engine(engine, prompt, args.new_tokens))
            rows["llama-cpp-python Llama.__call__"].append(run_llama(llm, prompt, args.new_tokens))
        llm.close()
        if hf is not None and not args.no_transformers:
            try:
                rows["transformers fp32 generate"] = [run_transformers(hf, prompt, args.new_tokens, threads)]
            except Exception as e:  # noqa: BLE001  (no torch, or not a transformers checkpoint)
                print(f"transformers skipped: {e}", file=sys.stderr)
        n_hist, reuse, full = history_ttft(engine, args.history_tokens, max(1, args.repeats // 2))
        engine.close()

    def med(values, i):
        return max(v[i] for v in values) if i < 2 else statistics.median(v[i] for v in values)

    base = rows["llama-cpp-python Llama.__call__"]
    print()
    print(f"{'runner':34} {'prompt tok/s':>13} {'vs llama':>9} {'decode tok/s':>13} {'vs llama':>9} {'tokens':>7}")
    for name, values in rows.items():
        p_ratio = med(values, 0) / med(base, 0) - 1
        d_ratio = med(values, 1) / med(base, 1) - 1
        print(f"{name:34} {med(values, 0):13.1f} {p_ratio:+9.1%} {med(values, 1):13.1f} {d_ratio:+9.1%} "
              f"{int(med(values, 2)):7d}")
    print()
    print(f"time to first token after a {n_hist}-token conversation (rinna-instruction format):")
    print(f"  {'with KV-cache reuse':34} {reuse[0] * 1000:9.1f} ms  ({reuse[1]}/{reuse[2]} prompt tokens evaluated)")
    print(f"  {'without (full prompt evaluated)':34} {full[0] * 1000:9.1f} ms  ({full[1]}/{full[2]} prompt tokens evaluated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
