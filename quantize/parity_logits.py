"""Logits parity: transformers (fp32) versus llama.cpp on the same token ids.

Needs the ``reference`` extra (torch + transformers). The checkpoint is loaded from safetensors
only, never with remote code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import llama_lib
from . import child
from .corpus import FIXED
from .spm import load_sp_model


def reference_available() -> bool:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class LogitsRow:
    label: str
    n_tokens: int
    max_abs: float
    top1: float  # fraction of positions whose argmax agrees
    mean_kl: float  # KL(transformers || llama.cpp), nats per position


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def compare(ref: np.ndarray, got: np.ndarray, label: str) -> LogitsRow:
    lp, lq = _log_softmax(ref), _log_softmax(got)
    kl = (np.exp(lp) * (lp - lq)).sum(axis=-1)
    return LogitsRow(label, ref.shape[0], float(np.abs(ref - got).max()),
                     float((ref.argmax(-1) == got.argmax(-1)).mean()), float(kl.mean()))


def sequences(model_dir: Path, sp_path: Path, n_ctx: int, max_tokens: int = 96) -> list[tuple[str, list[int]]]:
    proc = load_sp_model(sp_path).processor()
    texts = {"japanese": "".join(FIXED[0:6]), "mixed": "".join(FIXED[10:16]),
             "markers": "".join(FIXED[22:26] + FIXED[32:36])}
    limit = min(max_tokens, n_ctx)
    return [(k, proc.encode(v, out_type=int)[:limit]) for k, v in texts.items()]


def hf_logits(model_dir: Path, seqs: list[list[int]]) -> list[np.ndarray]:
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(
        str(model_dir), dtype=torch.float32, use_safetensors=True, trust_remote_code=False)
    model.eval()
    out = []
    with torch.no_grad():
        for ids in seqs:
            out.append(model(torch.tensor([ids])).logits[0].float().numpy())
    del model
    return out


def llama_logits(gguf_path: Path, seqs: list[list[int]], threads: int | None = None) -> list[np.ndarray]:
    Llama = llama_lib.load().Llama

    n_ctx = max(len(s) for s in seqs) + 8
    llm = Llama(str(gguf_path), n_ctx=n_ctx, n_batch=n_ctx, logits_all=True, n_gpu_layers=0,
                n_threads=threads, verbose=False)
    out = []
    try:
        for ids in seqs:
            llm.reset()
            llm.eval(ids)
            out.append(np.array(llm.scores[: len(ids)], dtype=np.float32))
    finally:
        llm.close()
    return out


def measure(gguf_path: Path, model_dir: Path, sp_path: Path, n_ctx: int,
            threads: int | None = None) -> list[LogitsRow]:
    seqs = sequences(model_dir, sp_path, n_ctx)
    ref = hf_logits(model_dir, [s for _, s in seqs])
    # llama.cpp runs in a child process: a file it cannot handle ends the child, not the caller.
    got = child.run("quantize.parity_logits:llama_logits", (Path(gguf_path), [s for _, s in seqs], threads),
                    stage="computing llama.cpp's logits", path=gguf_path)
    return [compare(r, g, label) for (label, _), r, g in zip(seqs, ref, got)]
