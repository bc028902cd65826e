"""``verify`` for a byte-level multi-head model (byGPT): the hybrid (llama.cpp backbone, NumPy merge
and heads) against the model's own PyTorch code.

The reference is the checkpoint folder's own modeling code, loaded through transformers
(``AutoModelForCausalLM``, ``trust_remote_code=True``), so a user with the real weights can confirm
or refute the layout table's assumptions (``quantize.bygpt.layout``). Running a folder's code is
never done implicitly: only with ``--trust-remote-code``, only from a local folder, offline.

Both sides run in child processes with time limits. Per test text: the final-norm hidden states,
the next-position logits of every head, top-1 agreement per head, and whether the greedy
continuations agree for ``GREEDY_BYTES`` bytes.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import child
from .bygpt import layout
from .bygpt import parity as byte_parity
from .bygpt.encoding import encode_text
from .corpus import FIXED
from .errors import ConversionError, ExplainedError

MAX_ABS = {"f32": 1e-3, "f16": 5e-2, "bf16": 2e-1}  # max |Δ| of hidden states and head logits
MIN_TOP1 = 0.9  # per head, for quantized files
GREEDY_BYTES = 64
MAX_POSITIONS = 48
_SECONDS = 600
FLAG_FIX = ("if you trust the code in that folder, run verify again with --trust-remote-code "
            "(the folder must be local; nothing is downloaded)")


@dataclass
class ByteParityRow:
    label: str
    positions: int
    max_hidden: float  # max |Δ| of the final-norm hidden states (nan: the reference gives none)
    max_logit: float  # max |Δ| over every head's logits
    top1: list[float]  # agreement of the argmax, per head
    greedy_same: int  # leading bytes of the greedy continuations that agree (of GREEDY_BYTES)


@dataclass
class ByteVerifyReport:
    gguf: Path
    file_type: str
    rows: list[ByteParityRow] = field(default_factory=list)
    note: str = ""
    tokens: byte_parity.ByteParity | None = None  # the byte encoding vs the model's own tokenizer
    tokens_note: str = ""

    @property
    def is_float(self) -> bool:
        return self.file_type in MAX_ABS

    @property
    def outputs_ok(self) -> bool:
        if self.is_float:
            bound = MAX_ABS[self.file_type]
            return all(r.max_logit <= bound and not r.max_hidden > bound and r.greedy_same == GREEDY_BYTES
                       for r in self.rows)
        return all(min(r.top1) >= MIN_TOP1 for r in self.rows)

    @property
    def ok(self) -> bool:
        return self.outputs_ok and (self.tokens is None or self.tokens.exact)

    def format(self) -> str:
        lines = [self.tokens.format() if self.tokens is not None else f"tokenizer parity: {self.tokens_note}", ""]
        lines.append(format_table(self.rows, self.file_type, f"{self.gguf.name}", self.outputs_ok, self.note))
        return "\n".join(lines)


def format_table(rows: list[ByteParityRow], file_type: str, name: str, ok: bool, note: str = "") -> str:
    lines = [f"Byte-model parity — the model's own code (fp32) vs Hanashi's hybrid ({file_type}), {name}"]
    if note:
        lines.append(f"  {note}")
    heads = len(rows[0].top1) if rows else 0
    top = " ".join(f"{'top-1 h' + str(j):>9}" for j in range(heads))
    lines.append(f"  {'text':<10} {'pos':>4} {'max|Δhidden|':>13} {'max|Δlogit|':>12} {top} "
                 f"{'greedy ' + str(GREEDY_BYTES) + 'B':>10}")
    for r in rows:
        hid = "n/a" if np.isnan(r.max_hidden) else f"{r.max_hidden:.3g}"
        agree = " ".join(f"{t * 100:>8.1f}%" for t in r.top1)
        lines.append(f"  {r.label:<10} {r.positions:>4} {hid:>13} {r.max_logit:>12.3g} {agree} "
                     f"{str(r.greedy_same) + '/' + str(GREEDY_BYTES):>10}")
    bound = (f"max|Δ| ≤ {MAX_ABS[file_type]:g} and identical greedy bytes" if file_type in MAX_ABS
             else f"top-1 ≥ {MIN_TOP1:.0%} per head")
    lines.append(f"  verdict: {'PASS' if ok else 'FAIL'} ({bound})")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- inputs


def is_bygpt_reference(folder: Path) -> bool:
    """Whether ``folder``'s config.json names a byGPT model (only a small regular file is read)."""
    path = Path(folder) / "config.json"
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > 4 << 20:
            return False
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return layout.recognise(config)


def file_type_family(gguf_path: Path) -> str | None:
    from .gguf_info import read_info

    return read_info(gguf_path).family


def parity_texts() -> list[tuple[str, bytes]]:
    """(label, bos + text) per test text, at most MAX_POSITIONS positions each."""
    bos = bytes(layout.SPECIAL_TOKENS[layout.BOS])
    p = len(layout.RADICES)
    texts = {"japanese": "".join(FIXED[0:3]), "mixed": "".join(FIXED[10:13]), "markers": "".join(FIXED[22:25])}
    return [(k, (bos + encode_text(v))[:MAX_POSITIONS * p]) for k, v in texts.items()]


def compare(label: str, ref: dict, got: dict) -> ByteParityRow:
    rl, gl = ref["logits"], got["logits"]
    if rl.shape != gl.shape:
        raise ConversionError(f"the reference's head logits have shape {list(rl.shape)} but the hybrid's "
                              f"{list(gl.shape)} (text {label!r}): the layout table does not match the model",
                              None, "check the heads' rows of quantize/bygpt/layout.py against the model's code")
    rh, gh = ref.get("hidden"), got["hidden"]
    max_hidden = float(np.abs(rh - gh).max()) if rh is not None and rh.shape == gh.shape else float("nan")
    top1 = [float((rl[:, j].argmax(-1) == gl[:, j].argmax(-1)).mean()) for j in range(rl.shape[1])]
    a, b = ref["greedy"], got["greedy"]
    same = 0
    while same < min(len(a), len(b), GREEDY_BYTES) and a[same] == b[same]:
        same += 1
    return ByteParityRow(label, rl.shape[0], max_hidden, float(np.abs(rl - gl).max()), top1, same)


# ----------------------------------------------------------------------------- the reference


def _reshape_logits(logits, positions: int, per: int) -> np.ndarray:
    """The reference's head logits as [positions, heads, V], whichever common form it returns."""
    import torch

    if isinstance(logits, (list, tuple)):
        logits = torch.stack([t.reshape(positions, -1) for t in logits], dim=1)
    x = logits.detach().float().reshape(-1).numpy()
    return x.reshape(positions, per, -1)


def reference_tokenize(folder: Path, texts: list[str]) -> list[list[int]] | str:
    """The folder's own tokenizer (its remote code) on ``texts``; a sentence when it has none."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(str(folder), trust_remote_code=True, local_files_only=True)
    except Exception as e:  # noqa: BLE001 - a folder without a tokenizer of its own, or a broken one
        return f"the folder's own tokenizer could not be loaded ({type(e).__name__}: {str(e).strip()[:200]})"
    try:
        return [[int(x) for x in tok.encode(t, add_special_tokens=False)] for t in texts]
    except Exception as e:  # noqa: BLE001
        return f"the folder's own tokenizer failed ({type(e).__name__}: {str(e).strip()[:200]})"


def reference_outputs(folder: Path, seqs: list[bytes], greedy_bytes: int = GREEDY_BYTES) -> list[dict]:
    """The folder's own model (its remote code) on each byte sequence: hidden, logits, greedy bytes."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # the folder's code and weights only; nothing is fetched
    import torch
    from transformers import AutoModelForCausalLM

    per = len(layout.RADICES)
    try:
        model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32, trust_remote_code=True,
                                                     local_files_only=True)
        model.eval()
        out = []
        with torch.no_grad():
            def forward(data: bytes):
                ids = torch.tensor([list(data)], dtype=torch.long)
                res = model(input_ids=ids, output_hidden_states=True)
                n = len(data) // per
                logits = _reshape_logits(res.logits if hasattr(res, "logits") else res[0], n, per)
                states = getattr(res, "hidden_states", None)
                hidden = states[-1][0].float().numpy().reshape(n, -1) if states else None
                return hidden, logits

            for data in seqs:
                hidden, logits = forward(data)
                greedy, seq = b"", data
                while len(greedy) < greedy_bytes:
                    group = bytes(int(b) for b in forward(seq)[1][-1].argmax(-1))
                    greedy += group
                    seq += group
                out.append({"hidden": hidden, "logits": logits, "greedy": greedy})
        return out
    except (ExplainedError, KeyboardInterrupt):
        raise
    except Exception as e:  # noqa: BLE001 - the folder's own code can fail anywhere
        raise ConversionError(f"the reference model's own code failed ({type(e).__name__}: {str(e).strip()[:300]})",
                              folder, "pass the complete local folder of the model, with its modeling code") from None


def verify(gguf_path: Path, reference: Path, file_type: str, trust_remote_code: bool,
           threads: int | None = None) -> ByteVerifyReport:
    reference = Path(reference)
    if not trust_remote_code:
        raise ConversionError(
            "this reference is a byte-level multi-head model (byGPT): its only implementation is the Python "
            "code in the folder itself (config.json's auto_map), and verify never runs a folder's code "
            "unless told to", reference, FLAG_FIX)
    if not reference.is_dir() or not (reference / "config.json").is_file():
        raise ConversionError("--trust-remote-code needs a local model folder with its config.json and code",
                              reference, "download the model folder first and pass its path")
    if file_type_family(gguf_path) != layout.FAMILY or not is_bygpt_reference(reference):
        raise ConversionError("only one of the two is a byte-level multi-head model (byGPT)", reference,
                              "pass the byGPT GGUF together with the folder it was converted from")
    labels, seqs = zip(*parity_texts())
    ref = child.run("quantize.bygpt_verify:reference_outputs", (reference, list(seqs)),
                    stage="running the model's own code (trust_remote_code) for the reference", path=reference,
                    timeout=_SECONDS * 4, fix="pass the complete local folder of the model, with its code")
    # The hybrid is the app's own runtime: named here, imported only in the child that runs it.
    got = child.run("app.engine.bygpt_parity:hybrid_outputs", (Path(gguf_path), list(seqs), threads),
                    stage="running the hybrid (llama.cpp backbone, NumPy heads)", path=gguf_path,
                    timeout=_SECONDS, fix="check that the GGUF was converted from this folder; convert it again")
    rows = [compare(label, r, g) for label, r, g in zip(labels, ref, got)]
    report = ByteVerifyReport(Path(gguf_path), file_type, rows)
    sections = byte_parity.default_sections()
    texts = [t for ts in sections.values() for t in ts]
    encoded = child.run("quantize.bygpt_verify:reference_tokenize", (reference, texts),
                        stage="running the model's own tokenizer (trust_remote_code)", path=reference,
                        timeout=_SECONDS, fix="pass the complete local folder of the model, with its code")
    if isinstance(encoded, str):
        report.tokens_note = encoded + "; the byte encoding was not compared with it"
    else:
        table = dict(zip(texts, encoded))
        report.tokens = byte_parity.measure(table.__getitem__, sections, "the model's own tokenizer")
    return report
