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
from .errors import ConversionError, ExplainedError
from .spm import load_sp_model

# The llama.cpp side gets a fixed allowance plus time per GiB of model: far more than a real model
# needs on a slow CPU, and still an end to a file that makes llama.cpp spin.
_BASE_SECONDS = 300
_SECONDS_PER_GIB = 300


def reference_available() -> bool:
    """Whether torch and transformers are installed (found, not imported: they load in a child)."""
    import importlib.util

    try:
        return all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers"))
    except (ImportError, ValueError):
        return False


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


def time_allowance(files) -> float:
    """Seconds a child may take to load and run the model stored in ``files``."""
    size = 0
    for f in files:
        try:
            size += Path(f).stat().st_size
        except OSError:
            pass
    return _BASE_SECONDS + _SECONDS_PER_GIB * size / 2**30


def reference_logits(model_dir: Path, seqs: list[list[int]]) -> list[np.ndarray]:
    """``hf_logits``, with whatever transformers or torch raise turned into a ConversionError."""
    try:
        return hf_logits(model_dir, seqs)
    except (ExplainedError, KeyboardInterrupt):
        raise
    except Exception as e:  # noqa: BLE001 - a hostile reference folder can fail anywhere
        raise ConversionError(
            f"transformers could not compute the reference model's logits ({type(e).__name__}: "
            f"{str(e).strip()[:300]})", model_dir,
            "pass the Hugging Face folder the GGUF was converted from, complete and undamaged; "
            "or verify the tokenizer only with --no-logits") from None


def measure(gguf_path: Path, model_dir: Path, sp_path: Path, n_ctx: int,
            threads: int | None = None) -> list[LogitsRow]:
    """One row per test sequence. Both sides run in child processes with a time limit that grows
    with the model's size: a file llama.cpp or torch cannot handle ends the child, not the caller,
    one that makes them spin is stopped, and their caches and temporary files go with the child."""
    seqs = sequences(model_dir, sp_path, n_ctx)
    ids = [s for _, s in seqs]
    model_dir = Path(model_dir)
    ref = child.run("quantize.parity_logits:reference_logits", (model_dir, ids),
                    stage="computing the reference model's logits with transformers", path=model_dir,
                    timeout=time_allowance(model_dir.glob("*.safetensors")),
                    fix="pass the complete Hugging Face folder the GGUF was converted from, or verify the "
                        "tokenizer only with --no-logits")
    got = child.run("quantize.parity_logits:llama_logits", (Path(gguf_path), ids, threads),
                    stage="computing llama.cpp's logits", path=gguf_path, timeout=time_allowance([gguf_path]),
                    fix="check that the GGUF was converted from this reference folder; convert it again")
    rows = []
    for (label, _), r, g in zip(seqs, ref, got):
        if r.shape != g.shape:
            raise ConversionError(
                f"the GGUF's logits have shape {list(g.shape)} but the reference's {list(r.shape)} "
                f"(sequence {label!r}): the vocabularies differ", gguf_path,
                "pass the Hugging Face folder this GGUF was converted from")
        rows.append(compare(r, g, label))
    return rows
