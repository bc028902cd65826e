"""Generation speed: Hanashi's engine vs llama-cpp-python's ``Llama.__call__`` vs transformers.

    .venv/bin/python bench/generate.py                 # builds a small rinna-like model first
    .venv/bin/python bench/generate.py --gguf model.gguf [--hf hf_folder]

All llama.cpp numbers come from the same GGUF, the same thread counts and greedy decoding, in one
run. Runners take turns within each round (the order rotates from round to round), so drift in
the machine's load hits them alike, and the table shows the median with the range over the
rounds. Every runner is timed the same way, from outside: one call that generates a single token
(time to first token: the prompt, evaluated from an empty cache) and one that generates the
whole reply; decode speed is (tokens - 1) / (reply time - first-token time). The engine runs
with each of its tokenizers: llama.cpp's and the sentencepiece model embedded in the GGUF.

The conversation case asks a new question after a ~N-token conversation whose last reply is the
model's own (as written, tokens and all), once with the KV cache kept from that reply and once
from an empty cache. Prints a table; not a test. Goal: the engine within 3% of plain
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


def timed(call) -> float:
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0


def run_engine(engine, prompt: list[int], new: int):
    """Prompt tok/s, decode tok/s, tokens generated: Hanashi's engine, from an empty cache."""
    first = engine.sampling(temperature=0, repetition_penalty=1.0, max_new_tokens=1)
    params = engine.sampling(temperature=0, repetition_penalty=1.0, max_new_tokens=new)
    engine.clear_cache()
    ttft = timed(lambda: engine.generate(prompt, first, reuse_text=False))
    engine.clear_cache()
    out = []
    total = timed(lambda: out.append(engine.generate(prompt, params, reuse_text=False)))
    n = out[0].n_generated
    return len(prompt) / ttft, (n - 1) / (total - ttft) if n > 1 else float("nan"), n


def run_llama(llm, prompt: list[int], new: int):
    """The same with ``Llama.__call__``: one call for the first token, one for the whole reply.

    (Streaming cannot time tokens here: it holds text back until it is valid UTF-8.)
    """
    llm.reset()
    ttft = timed(lambda: llm(prompt, max_tokens=1, temperature=0.0, repeat_penalty=1.0))
    if llm.n_tokens != len(prompt):
        print(f"warning: Llama.__call__ generated {llm.n_tokens - len(prompt) + 1} tokens for max_tokens=1",
              file=sys.stderr)
    llm.reset()
    out = []
    total = timed(lambda: out.append(llm(prompt, max_tokens=new, temperature=0.0, repeat_penalty=1.0)))
    n = out[0]["usage"]["completion_tokens"]
    return len(prompt) / ttft, (n - 1) / (total - ttft) if n > 1 else float("nan"), n


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


def conversation(engine, history_tokens: int):
    """A conversation of about ``history_tokens`` whose last reply the model writes itself.

    Returns (session, question): the session holds the history, its last reply as the model
    wrote it (and its tokens in the KV cache); the question is the next message.
    """
    from app.engine import ChatSession
    from app.formats import Turn
    from quantize.tiny.text import QUESTIONS, paragraphs

    answers = paragraphs(200, seed=3)
    turns: list[Turn] = []
    while engine.count_tokens(engine.format.render([], turns + [Turn("user", "x")])) < history_tokens:
        i = len(turns) // 2
        turns += [Turn("user", QUESTIONS[i % len(QUESTIONS)]), Turn("assistant", answers[i])]
    session = ChatSession(engine, "", {"temperature": 0, "max_new_tokens": 48}, turns=turns[:-2])
    return session, turns[-2].content


def history_ttft(engine, tokenizers: dict, history_tokens: int, rounds: int):
    """Time to first token for a new message after the conversation, with and without KV reuse,
    per tokenizer: {name: {"reuse": [(s, evaluated, total)], "full": [...]}}."""
    out = {name: {"reuse": [], "full": []} for name in tokenizers}
    names = list(tokenizers)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            engine.tokenizer = tokenizers[name]
            session, question = conversation(engine, history_tokens)
            engine.clear_cache()
            session.reply(question)  # the model's own reply; the conversation is now in the KV cache
            history = list(session.turns)
            session.sampling["max_new_tokens"] = 8
            r1 = session.reply("ありがとう。")
            out[name]["reuse"].append((r1.first_token_seconds, r1.n_prompt_evaluated, r1.n_prompt_tokens))
            session.turns = list(history)
            engine.clear_cache()
            r2 = session.reply("ありがとう。")
            out[name]["full"].append((r2.first_token_seconds, r2.n_prompt_evaluated, r2.n_prompt_tokens))
    return out


def cli_handoff(gguf: Path, rounds: int, new: int = 400) -> dict[str, list[float]]:
    """Seconds per token of a reply read through the terminal chat's worker, one event per token
    (the old way) vs batched text (``hanashi chat`` now), text written to /dev/null. The model
    runs from a fixed prompt with end-of-sequence banned, so every reply is ``new`` tokens."""
    import os

    from app.cli_chat import TEXT_BATCH_S
    from app.engine import Engine, EngineWorker

    engine = Engine.load(gguf, n_ctx=1024, threads=1)
    params = engine.sampling(temperature=0, max_new_tokens=new, banned_token_ids=[engine.runtime.eos()])
    out: dict[str, list[float]] = {"one event per token": [], f"batched ({TEXT_BATCH_S * 1000:.0f} ms)": []}
    with open(os.devnull, "w") as sink:
        def write(text: str) -> None:
            sink.write(text)
            sink.flush()

        for r in range(rounds):
            for name in (list(out) if r % 2 == 0 else list(out)[::-1]):
                worker = EngineWorker(batch_text=None if name.startswith("one") else TEXT_BATCH_S)
                engine.clear_cache()
                t0 = time.perf_counter()
                job = worker.submit(lambda on_text, cancel: engine.generate("今日は", params, on_text, cancel))
                n = worker.wait(job, on_text=write).result.n_generated
                out[name].append((time.perf_counter() - t0) / n * 1e6)
                worker.close()  # the engine is not the worker's (it was not loaded there): it stays open
    engine.close()
    return out


def spread(values) -> str:
    values = list(values)
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


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
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-transformers", action="store_true")
    ap.add_argument("--cli-only", action="store_true", help="only the terminal chat's per-token handoff")
    args = ap.parse_args(argv)

    llama_log.quiet()
    from quantize.llama_lib import load

    Llama = load().Llama

    from app.engine import Engine
    from app.engine.loader import default_threads
    from app.engine.tokenizer import LlamaTokenizer, SentencePieceTokenizer

    demo = Path(__file__).resolve().parents[1] / "assets" / "models" / "hanashi-demo.gguf"
    handoff = cli_handoff(demo, args.rounds)
    print(f"terminal chat, demo model ({demo.name}), 1 thread, 400-token replies; median (range) of "
          f"{args.rounds} interleaved rounds:\n")
    print("| text handoff | µs per token, end to end |")
    print("|---|---|")
    for name, values in handoff.items():
        print(f"| {name} | {spread(values)} |")
    print(flush=True)
    if args.cli_only:
        return 0
    threads = args.threads or default_threads()
    batch = getattr(threads, "batch", threads)
    with tempfile.TemporaryDirectory(prefix="hanashi-bench-") as tmp:
        gguf, hf = args.gguf, args.hf
        if gguf is None:
            gguf, built = build_model(Path(tmp), args.hidden, args.layers, args.type, args.train_steps)
            hf = hf or built
        n_ctx = max(2048, args.prompt_tokens + args.new_tokens + 16, args.history_tokens + 256)
        engine = Engine.load(gguf, n_ctx=n_ctx, threads=threads)
        llm = Llama(str(gguf), n_ctx=engine.n_ctx, n_batch=512, n_threads=int(threads), n_threads_batch=batch,
                    verbose=False)
        own = engine.tokenizer  # for a file converted elsewhere, llama.cpp's tokenizer as the engine set it up
        tokenizers = {"llama.cpp tokenizer": own if own.kind == LlamaTokenizer.kind else LlamaTokenizer(engine.runtime)}
        if engine.info.sp_model:
            tokenizers["sentencepiece tokenizer"] = SentencePieceTokenizer(engine.info.sp_model)
        else:
            print("this GGUF embeds no sentencepiece model: only llama.cpp's tokenizer is measured",
                  file=sys.stderr)
        chosen = engine.tokenizer.kind
        prompt = prompt_tokens(engine, args.prompt_tokens)
        print(f"model: {gguf.name} ({gguf.stat().st_size / 2**20:.0f} MiB, {engine.info.n_layer} layers, "
              f"{engine.info.n_embd} wide), {engine.backend}, prompt-batch threads {batch}, prompt "
              f"{len(prompt)} tokens, {args.new_tokens} new tokens, greedy; median (range) of {args.rounds} "
              f"interleaved rounds; the engine's own choice of tokenizer for this file: {chosen}", flush=True)

        def engine_with(tok):
            def run(p, n):
                engine.tokenizer = tok
                return run_engine(engine, p, n)
            return run

        runners = {f"hanashi engine, {name}": engine_with(tok) for name, tok in tokenizers.items()}
        runners["llama-cpp-python Llama.__call__"] = lambda p, n: run_llama(llm, p, n)
        for run in runners.values():  # warm-up
            run(prompt[:32], 4)
        rows = {name: [] for name in runners}
        names = list(runners)
        for r in range(args.rounds):  # interleaved, rotating, so drift in machine load hits all alike
            for name in names[r % len(names):] + names[:r % len(names)]:
                rows[name].append(runners[name](prompt, args.new_tokens))
        llm.close()
        if hf is not None and not args.no_transformers:
            try:
                rows["transformers fp32 generate (1 run)"] = [run_transformers(hf, prompt, args.new_tokens,
                                                                               int(threads))]
            except Exception as e:  # noqa: BLE001  (no torch, or not a transformers checkpoint)
                print(f"transformers skipped: {e}", file=sys.stderr)
        history = history_ttft(engine, tokenizers, args.history_tokens, args.rounds)
        engine.close()

    base = rows["llama-cpp-python Llama.__call__"]
    med = lambda values, i: statistics.median(v[i] for v in values)  # noqa: E731
    print()
    print("| runner | prompt tok/s | vs llama | decode tok/s | vs llama | tokens |")
    print("|---|---|---|---|---|---|")
    for name, values in rows.items():
        print(f"| {name} | {spread(v[0] for v in values)} | {med(values, 0) / med(base, 0) - 1:+.1%} | "
              f"{spread(v[1] for v in values)} | {med(values, 1) / med(base, 1) - 1:+.1%} | {int(med(values, 2))} |")
    print()
    print("| time to first token after a conversation | tokenizer | ms, median (range) | prompt tokens evaluated |")
    print("|---|---|---|---|")
    for name, cases in history.items():
        for case, label in (("reuse", "with KV-cache reuse"), ("full", "without (full prompt evaluated)")):
            values = cases[case]
            evaluated = statistics.median(v[1] for v in values)
            print(f"| {label} | {name} | {spread(v[0] * 1000 for v in values)} | "
                  f"{evaluated:.0f} of {values[0][2]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
