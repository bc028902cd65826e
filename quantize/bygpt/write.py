"""Writing the byte-level model's float GGUF: the Llama backbone as tensors, the rest as metadata.

The backbone goes through the same per-tensor steps as every Hanashi conversion (``write_gguf``'s
type conversion and non-finite checks, one tensor in memory at a time, progress and cancel); the
byte embedding, merge module and heads are stored per ``gguf_extra``, in f32 for an f32 file and
f16 otherwise (they are never quantized).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import gguf
import numpy as np

from ..errors import ConversionCancelled
from ..families import FAMILIES, sampling_json
from ..metadata import FORMAT_VERSION, PREFIX, SOURCE_REPO_KEY, SOURCE_REVISION_KEY
from ..write_gguf import _FILE_TYPE, add_tensor_infos, count_nonfinite, nonfinite_error, planned_bytes, \
    to_type, write_tensors
from . import byte_vocab, layout
from .arch import ByGPT
from .encoding import ByteEncoder
from .gguf_extra import ExtraWriter, add_extra, add_extra_index


def extra_type(out_type: str) -> str:
    """The extras' storage for an output type: f32 in an f32 file, f16 in every other."""
    return "f32" if out_type == "f32" else "f16"


def extra_bytes(arch: ByGPT, out_type: str) -> int:
    return arch.n_extra_params * (4 if extra_type(out_type) == "f32" else 2)


def add_bygpt_metadata(w: gguf.GGUFWriter, arch: ByGPT, name: str, parity: dict | None,
                       source: tuple[str, str] = ("", "")) -> None:
    fam = FAMILIES[layout.FAMILY]
    enc = ByteEncoder()
    w.add_name(name)
    byte_vocab.add_byte_vocab(w)
    w.add_chat_template(fam.chat_template)
    s = fam.sampling
    w.add_sampling_temp(s.temperature)
    w.add_sampling_top_p(s.top_p)
    w.add_sampling_top_k(s.top_k)
    w.add_sampling_penalty_repeat(s.repetition_penalty)
    w.add_uint32(PREFIX + "format_version", FORMAT_VERSION)
    w.add_string(PREFIX + "family", fam.name)
    w.add_string(PREFIX + "source.architecture", arch.ckpt.architecture)
    if source[0]:
        w.add_string(SOURCE_REPO_KEY, source[0])
        w.add_string(SOURCE_REVISION_KEY, source[1])
    w.add_string(PREFIX + "sampling", sampling_json(fam))
    w.add_array(PREFIX + "stop_strings", list(fam.stop_strings))
    w.add_string(PREFIX + "newline", fam.newline)
    m = layout.META
    w.add_uint32(m["layout_version"], layout.LAYOUT_VERSION)
    w.add_uint32(m["bytes_per_position"], arch.bytes_per_position)
    w.add_uint32(m["n_heads"], arch.n_lm_heads)
    w.add_uint32(m["vocab"], arch.n_vocab)
    w.add_uint32(m["byte_embd"], arch.byte_embd)
    w.add_string(m["encoding"], layout.ENCODING)
    for key, value in (("bos", enc.bos), ("eos", enc.eos), ("pad", enc.pad), ("stop", enc.stop)):
        w.add_key_value(m[key], [int(b) for b in value], gguf.GGUFValueType.ARRAY, sub_type=gguf.GGUFValueType.UINT8)
    w.add_string(PREFIX + "bygpt.layout", json.dumps({
        "radices": layout.RADICES, "offsets": layout.OFFSETS,
        "special_tokens": {k: list(v) for k, v in layout.SPECIAL_TOKENS.items()},
        "prompt": layout.PROMPT, "stop_text": layout.STOP_TEXT}, sort_keys=True))
    if parity is not None:
        w.add_bool(PREFIX + "parity.tokenizer.exact", parity["exact"])
        w.add_uint32(PREFIX + "parity.tokenizer.matched", parity["matched"])
        w.add_uint32(PREFIX + "parity.tokenizer.total", parity["total"])
        w.add_string(PREFIX + "parity.tokenizer.kind", parity["kind"])


def write_bygpt(path: Path, arch: ByGPT, metadata: Callable[[gguf.GGUFWriter], None], float_type: str,
                progress: Callable[[int, int, str], None] | None = None,
                cancelled: Callable[[], bool] | None = None, allow_nonfinite: bool = False,
                out_type: str | None = None) -> None:
    """Write ``path``: metadata (with the extra tensors, stored for ``out_type``, the final output's
    type, default ``float_type``) and every planned backbone tensor."""
    w = ExtraWriter(None, arch.gguf_arch)
    metadata(w)
    arch.write_hparams(w)
    w.add_file_type(_FILE_TYPE[float_type])
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)
    etype = extra_type(out_type or float_type)
    total = planned_bytes(arch, float_type) + extra_bytes(arch, out_type or float_type)
    done = 0
    for p in arch.extras:
        if cancelled and cancelled():
            raise ConversionCancelled()
        with np.errstate(over="ignore", invalid="ignore"):
            data = to_type(p.produce(), arch.ckpt.dtype(p.source), etype)
        if not allow_nonfinite:
            bad = count_nonfinite(data, etype)
            if bad:
                raise nonfinite_error(p, arch, etype, bad, data.size)
        add_extra(w, p.name, data, etype)
        done += data.nbytes
        arch.ckpt.release(p.source)
        if progress:
            progress(done, total, layout.EXTRA_PREFIX + "tensor." + p.name)
    add_extra_index(w, [p.name for p in arch.extras])
    add_tensor_infos(w, arch.plan, float_type)
    w.write_header_to_file(path=Path(path))
    write_tensors(w, arch, arch.plan, float_type, progress, cancelled, allow_nonfinite, done, total)
