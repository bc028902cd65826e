"""Conversion benchmark: a synthetic ≥1B-parameter checkpoint in the rinna 3.6b shape family.

Builds (once) a GPT-NeoX checkpoint with the 3.6b's width (hidden 2816, 22 heads, ffn 11264,
vocab 32,000) and fewer layers, saved as fp16 safetensors like the released ones. Then, each in
its own process so peak memory is measured separately, side by side:
  - hanashi-quantize to f16 and to q4_k_m: wall time, peak RSS, MB/s of checkpoint read;
  - transformers from_pretrained (fp16 and fp32): the same numbers, for scale.
Prints a table; not a test. Needs the reference extra (torch, transformers, safetensors).

    .venv/bin/python bench/convert.py [--layers 10] [--workdir /tmp/hanashi-bench]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def build_checkpoint(folder: Path, layers: int) -> int:
    """Random fp16 weights with the real tensor names, shapes and config fields."""
    from safetensors.numpy import save_file

    from quantize.tiny import tokenizer as tok

    E, F, V, H = 2816, 11264, 32000, 22
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "spiece.model").exists():
        tok.train(folder, tok.SpFlavor("bpe", vocab_size=4000))
        tok.write_tokenizer_files(folder)
    rng = np.random.default_rng(0)
    tensors: dict[str, np.ndarray] = {}

    def t(name, *shape):
        tensors[name] = (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float16)

    t("gpt_neox.embed_in.weight", V, E)
    for i in range(layers):
        p = f"gpt_neox.layers.{i}."
        for n in ("input_layernorm", "post_attention_layernorm"):
            tensors[p + n + ".weight"] = np.ones(E, np.float16)
            tensors[p + n + ".bias"] = np.zeros(E, np.float16)
        t(p + "attention.query_key_value.weight", 3 * E, E)
        t(p + "attention.query_key_value.bias", 3 * E)
        t(p + "attention.dense.weight", E, E)
        t(p + "attention.dense.bias", E)
        t(p + "mlp.dense_h_to_4h.weight", F, E)
        t(p + "mlp.dense_h_to_4h.bias", F)
        t(p + "mlp.dense_4h_to_h.weight", E, F)
        t(p + "mlp.dense_4h_to_h.bias", E)
    tensors["gpt_neox.final_layer_norm.weight"] = np.ones(E, np.float16)
    tensors["gpt_neox.final_layer_norm.bias"] = np.zeros(E, np.float16)
    t("embed_out.weight", V, E)
    n_params = sum(a.size for a in tensors.values())
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    config = {"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "hidden_size": E,
              "num_attention_heads": H, "num_hidden_layers": layers, "intermediate_size": F,
              "vocab_size": V, "max_position_embeddings": 2048, "rotary_pct": 1.0, "rotary_emb_base": 10000,
              "use_parallel_residual": False, "layer_norm_eps": 1e-5, "tie_word_embeddings": False,
              "hidden_act": "gelu", "bos_token_id": 2, "eos_token_id": 3, "torch_dtype": "float16"}
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    return n_params


_HWM = ("; import sys; print('VmHWM', [l for l in open('/proc/self/status') "
        "if l.startswith('VmHWM')][0].split()[1], file=sys.stderr)")


def measure(code: str) -> tuple[float, float]:
    """Run ``code`` in a fresh Python; return (seconds, peak RSS in MiB) of that process alone.

    The peak is the child's own high-water mark (VmHWM), which starts afresh at exec.
    """
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code + _HWM], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - t0
    kib = int(p.stderr.rsplit("VmHWM", 1)[1].split()[0])
    return seconds, kib / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layers", type=int, default=10)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/hanashi-bench"))
    ap.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    src = args.workdir / f"synthetic-neox-{args.layers}l"
    if args.build_only:
        build_checkpoint(src, args.layers)
        return
    if not (src / "model.safetensors").exists():
        # Built in a child process: a parent holding 2 GiB of arrays would inflate every later
        # child's peak RSS (a forked child counts the parent's pages until it execs).
        print(f"building synthetic checkpoint in {src} ...", file=sys.stderr)
        subprocess.run([sys.executable, __file__, "--build-only", "--layers", str(args.layers),
                        "--workdir", str(args.workdir)], check=True)
    from quantize.archs import load_architecture
    from quantize.checkpoint import Checkpoint

    ck = Checkpoint(src)
    arch = load_architecture(ck)
    n_params = arch.n_params
    largest = max(ck.entries[p.source].end - ck.entries[p.source].start for p in arch.plan)
    ck.close()
    size_mb = (src / "model.safetensors").stat().st_size / 2**20
    runs = [
        ("hanashi-quantize → f16", f"from quantize.convert import convert; "
         f"convert({str(src)!r}, {str(args.workdir / 'out-f16.gguf')!r}, 'f16', measure_parity=False)"),
        ("hanashi-quantize → q4_k_m", f"from quantize.convert import convert; "
         f"convert({str(src)!r}, {str(args.workdir / 'out-q4.gguf')!r}, 'q4_k_m', measure_parity=False)"),
        ("transformers load fp16", "import torch; from transformers import AutoModelForCausalLM as M; "
         f"M.from_pretrained({str(src)!r}, dtype=torch.float16, use_safetensors=True)"),
        ("transformers load fp32", "import torch; from transformers import AutoModelForCausalLM as M; "
         f"M.from_pretrained({str(src)!r}, dtype=torch.float32, use_safetensors=True)"),
    ]
    print(f"\ncheckpoint: {n_params / 1e9:.2f}B parameters, {size_mb:,.0f} MiB fp16 safetensors; "
          f"largest tensor {largest / 2**20:,.0f} MiB\n")
    print(f"| {'step':<28} | {'wall s':>7} | {'peak RSS MiB':>12} | {'RSS / model':>11} | {'MB/s read':>9} |")
    print(f"|{'-' * 30}|{'-' * 9}|{'-' * 14}|{'-' * 13}|{'-' * 11}|")
    for label, code in runs:
        seconds, peak = measure(code)
        print(f"| {label:<28} | {seconds:>7.1f} | {peak:>12,.0f} | {peak / size_mb:>11.2f} | "
              f"{size_mb / seconds:>9.0f} |", flush=True)


if __name__ == "__main__":
    main()
