"""The rinna 3.6b shape end to end: build → convert to f16 and q4_k_m → load → generate.

    nice -n 10 .venv/bin/python bench/real_shape.py [--workdir /tmp/hanashi-real-shape] [--keep]

Builds a random-weight GPT-NeoX checkpoint of exactly japanese-gpt-neox-3.6b's shape (36 layers,
hidden 2816, ffn 11264, 22 heads, vocab 32,000; 3.6 B parameters, fp16 safetensors, ~7 GB),
written tensor by tensor in small chunks so the builder never holds more than a few MiB. Then,
each step in its own process so that its peak memory is its own:

  - hanashi-quantize to f16 and to q4_k_m: wall time and peak RSS (q4_k_m: of which quantizing);
  - for each GGUF: Hanashi's load time (checks, load probe and llama.cpp), prompt and decode
    tokens/s with Hanashi's default threads, and the RAM the loaded model holds.

llama.cpp's own converter (convert_hf_to_gguf.py) is not run: it cannot convert rinna's
sentencepiece GPT-NeoX (it reads GPT-NeoX tokenizers only from tokenizer.json's BPE), so the table
says so. The checkpoint's sentencepiece model is a small trained one (4,000 pieces); the
embedding and output matrices have the real 32,000 rows. The work folder is deleted at the end
unless ``--keep``. Prints a Markdown table; a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HIDDEN, FFN, HEADS, VOCAB, LAYERS = 2816, 11264, 22, 32000, 36
CHUNK = 1 << 22  # elements generated at a time (8 MiB of fp16)


def tensor_plan(layers: int) -> list[tuple[str, tuple[int, ...], str]]:
    """(name, shape, fill) for every tensor of a GPT-NeoX checkpoint; fill: random, ones or zeros."""
    E, F, V = HIDDEN, FFN, VOCAB
    plan = [("gpt_neox.embed_in.weight", (V, E), "random")]
    for i in range(layers):
        p = f"gpt_neox.layers.{i}."
        for n in ("input_layernorm", "post_attention_layernorm"):
            plan += [(p + n + ".weight", (E,), "ones"), (p + n + ".bias", (E,), "zeros")]
        plan += [(p + "attention.query_key_value.weight", (3 * E, E), "random"),
                 (p + "attention.query_key_value.bias", (3 * E,), "random"),
                 (p + "attention.dense.weight", (E, E), "random"),
                 (p + "attention.dense.bias", (E,), "random"),
                 (p + "mlp.dense_h_to_4h.weight", (F, E), "random"),
                 (p + "mlp.dense_h_to_4h.bias", (F,), "random"),
                 (p + "mlp.dense_4h_to_h.weight", (E, F), "random"),
                 (p + "mlp.dense_4h_to_h.bias", (E,), "random")]
    plan += [("gpt_neox.final_layer_norm.weight", (E,), "ones"),
             ("gpt_neox.final_layer_norm.bias", (E,), "zeros"),
             ("embed_out.weight", (V, E), "random")]
    return plan


def build_checkpoint(folder: Path, layers: int = LAYERS, seed: int = 0) -> int:
    """Write config, tokenizer and ``model.safetensors`` (fp16, streamed); returns the parameter count."""
    from quantize.tiny import tokenizer as tok

    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "spiece.model").exists():
        tok.train(folder, tok.SpFlavor("bpe", vocab_size=4000))
        tok.write_tokenizer_files(folder)
    plan = tensor_plan(layers)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, _ in plan:
        size = int(np.prod(shape)) * 2
        header[name] = {"dtype": "F16", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    rng = np.random.default_rng(seed)
    tmp = folder / "model.safetensors.part"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
        for _, shape, fill in plan:
            n = int(np.prod(shape))
            for start in range(0, n, CHUNK):
                k = min(CHUNK, n - start)
                if fill == "random":
                    block = (rng.standard_normal(k, dtype=np.float32) * 0.02).astype(np.float16)
                else:
                    block = np.full(k, 1.0 if fill == "ones" else 0.0, np.float16)
                f.write(block.tobytes())
    tmp.replace(folder / "model.safetensors")
    config = {"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "hidden_size": HIDDEN,
              "num_attention_heads": HEADS, "num_hidden_layers": layers, "intermediate_size": FFN,
              "vocab_size": VOCAB, "max_position_embeddings": 2048, "rotary_pct": 1.0, "rotary_emb_base": 10000,
              "use_parallel_residual": False, "layer_norm_eps": 1e-5, "tie_word_embeddings": False,
              "hidden_act": "gelu", "bos_token_id": 2, "eos_token_id": 3, "torch_dtype": "float16"}
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    return sum(int(np.prod(s)) for _, s, _ in plan)


# ------------------------------------------------------------------ steps, each in a child

_STATUS = ("import sys, json\n"
           "def _status(key):\n"
           "    return int([l for l in open('/proc/self/status') if l.startswith(key)][0].split()[1]) // 1024\n"
           "def _children_peak():\n"
           "    import resource\n"
           "    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024\n")

_CONVERT = _STATUS + """
import time
from quantize import quantizer
from quantize.convert import convert
spent = {'quantize': 0.0}
real = quantizer.quantize_file
def timed(*a, **k):
    t0 = time.perf_counter()
    try:
        return real(*a, **k)
    finally:
        spent['quantize'] += time.perf_counter() - t0
quantizer.quantize_file = timed
import quantize.convert as c; c.quantize_file = timed
t0 = time.perf_counter()
convert(SRC, OUT, TYPE, measure_parity=False)
print(json.dumps({'wall': time.perf_counter() - t0, 'quantize': spent['quantize'],
                  'peak_mib': _status('VmHWM'), 'child_peak_mib': _children_peak()}), file=sys.stderr)
"""

_GENERATE = _STATUS + """
import time
from quantize import llama_log
llama_log.quiet()
from app.engine import Engine
from app.engine.threads import default_choice
t0 = time.perf_counter()
engine = Engine.load(GGUF, n_ctx=1024, gpu_layers=0)
load_s = time.perf_counter() - t0
rss_loaded = _status('VmRSS')
prompt = [4 + (i * 7919) % 3990 for i in range(PROMPT)]
params = engine.sampling(temperature=0, repetition_penalty=1.0, max_new_tokens=NEW,
                         banned_token_ids=[engine.runtime.eos()])
g = engine.generate(prompt, params, reuse_text=False)
decode_s = g.prompt_seconds + g.generate_seconds - g.first_token_seconds
print(json.dumps({'load': load_s, 'prompt_tps': g.n_prompt_evaluated / g.prompt_seconds,
                  'decode_tps': (g.n_generated - 1) / decode_s, 'generated': g.n_generated,
                  'rss_loaded_mib': rss_loaded, 'peak_mib': _status('VmHWM'),
                  'threads': default_choice().describe()}), file=sys.stderr)
engine.close()
"""


def run_child(code: str, **values) -> dict:
    prelude = "".join(f"{k} = {v!r}\n" for k, v in values.items())
    p = subprocess.run([sys.executable, "-c", prelude + code], cwd=ROOT, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit(f"step failed ({p.returncode}):\n{p.stderr[-3000:]}")
    return json.loads(p.stderr.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/hanashi-real-shape"))
    ap.add_argument("--layers", type=int, default=LAYERS, help="fewer layers for a quick trial (default: 36)")
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--new-tokens", type=int, default=32)
    ap.add_argument("--keep", action="store_true", help="keep the checkpoint and GGUFs")
    args = ap.parse_args(argv)
    work = args.workdir
    src = work / f"neox-3.6b-shape-{args.layers}l"
    rows: list[str] = []
    try:
        t0 = time.perf_counter()
        if not (src / "model.safetensors").exists():
            print(f"building {src} …", file=sys.stderr, flush=True)
            p = subprocess.run([sys.executable, "-c", _STATUS + "from bench.real_shape import build_checkpoint\n"
                                f"n = build_checkpoint(__import__('pathlib').Path({str(src)!r}), {args.layers})\n"
                                "print(json.dumps({'n': n, 'peak_mib': _status('VmHWM')}), file=sys.stderr)"],
                               cwd=ROOT, stderr=subprocess.PIPE, text=True, check=True)
            built = json.loads(p.stderr.strip().splitlines()[-1])
            rows.append(f"| build checkpoint (random fp16, streamed) | {time.perf_counter() - t0:.0f} s | "
                        f"{built['peak_mib']:,} MiB | |")
        size = (src / "model.safetensors").stat().st_size
        n_params = sum(int(np.prod(s)) for _, s, _ in tensor_plan(args.layers))
        ggufs = {}
        for kind in ("f16", "q4_k_m"):
            out = work / f"real-shape-{kind}.gguf"
            print(f"converting to {kind} …", file=sys.stderr, flush=True)
            r = run_child(_CONVERT, SRC=str(src), OUT=str(out), TYPE=kind)
            ggufs[kind] = out
            quant = f"; quantizing {r['quantize']:.0f} s" if kind != "f16" else ""
            child = f" (quantizing process {r['child_peak_mib']:,} MiB)" if kind != "f16" else ""
            rows.append(f"| hanashi-quantize → {kind} ({out.stat().st_size / 2**30:.2f} GiB) | "
                        f"{r['wall']:.0f} s{quant} | {r['peak_mib']:,} MiB{child} | |")
        rows.append("| llama.cpp convert_hf_to_gguf.py | not run: it cannot convert rinna's sentencepiece "
                    "GPT-NeoX tokenizer | | |")
        for kind, out in ggufs.items():
            print(f"loading and generating with {kind} …", file=sys.stderr, flush=True)
            r = run_child(_GENERATE, GGUF=str(out), PROMPT=args.prompt_tokens, NEW=args.new_tokens)
            rows.append(f"| {kind}: load, {args.prompt_tokens}-token prompt, {r['generated']} new tokens | "
                        f"load {r['load']:.1f} s | {r['rss_loaded_mib']:,} MiB loaded | "
                        f"prompt {r['prompt_tps']:.1f} tok/s, decode {r['decode_tps']:.2f} tok/s |")
        threads = r["threads"]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\ncheckpoint: {args.layers} layers, hidden {HIDDEN}, ffn {FFN}, {HEADS} heads, vocab {VOCAB}: "
          f"{n_params / 1e9:.2f} B parameters, {size / 2**30:.2f} GiB fp16 safetensors; threads: {threads}\n")
    print("| step | time | memory (peak RSS) | speed |")
    print("|---|---|---|---|")
    for row in rows:
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
