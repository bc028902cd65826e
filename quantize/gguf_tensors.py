"""The tensor table of a GGUF checked as llama.cpp will load it: its layout in the file, and its
shapes against the hyper-parameters.

llama.cpp's GGUF reader refuses tensor data that runs past the end of the file, starts off the
file's alignment, or does not follow the previous tensor directly (in table order); it asserts that
every dimension is at least 1, that rows are whole blocks of a quantized type, and looks each tensor
up by name and shape. For the architectures Hanashi runs (``gptneox``, ``gpt2``) the whole expected
set is known, so a misplaced, missing, misshapen or surplus tensor is named here rather than found
by llama.cpp.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import GGUFFileError

_MAX_ELEMENTS = 1 << 62
_BLOCK = re.compile(r"^blk\.(\d+)\.")


def tensor_bytes(dims: tuple[int, ...], ggml_type: int) -> int | None:
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

    try:
        block, size = GGML_QUANT_SIZES[GGMLQuantizationType(ggml_type)]
    except (ValueError, KeyError):
        return None
    n = 1
    for d in dims:
        n *= int(d)
    return n // block * size


def check_complete(path: Path, tensors, data_start: int, file_size: int, alignment: int = 32) -> None:
    """Raise GGUFFileError when the tensor data is not laid out as llama.cpp reads it: a tensor that
    reaches past the end of the file (truncated), starts off the file's alignment, overlaps another,
    or leaves a gap (llama.cpp needs the tensors stored back to back, in table order)."""
    end, last = data_start, None
    for name, dims, ggml_type, offset in tensors:
        nbytes = tensor_bytes(dims, ggml_type)
        if nbytes is not None and data_start + offset + nbytes > end:
            end, last = data_start + offset + nbytes, name
    if end > file_size:
        raise GGUFFileError("corrupt", f"the file is truncated: its tensors need {end:,} bytes but it has "
                                       f"{file_size:,} (tensor {last!r} runs past the end of the file)",
                                path, "the download or conversion was cut short: download or convert it again",
                                code="gguf.truncated", params={"needed": end, "size": file_size, "tensor": str(last)})
    problem = layout_problem(tensors, alignment)
    if problem:
        raise GGUFFileError("corrupt", f"the tensor data is damaged: {problem}", path,
                            "download or convert the model again", code="gguf.layout")


def layout_problem(tensors, alignment: int) -> str:
    """Why the tensors' data offsets are not what llama.cpp reads, or ""; names the tensor."""
    expected, placed = 0, []
    for name, dims, ggml_type, offset in tensors:
        if offset % alignment:
            return (f"tensor {name!r} starts at data offset {offset:,}, which is not a multiple of the "
                    f"file's alignment ({alignment} bytes)")
        nbytes = tensor_bytes(dims, ggml_type)
        if nbytes is None:
            return ""  # an unknown tensor type is reported by the value checks (gguf_check)
        if offset < expected:
            other = next((n for n, start, stop in placed if start < offset + max(nbytes, 1) and offset < stop),
                         placed[-1][0] if placed else "?")
            return (f"tensor {name!r} (data offset {offset:,}, {nbytes:,} bytes) overlaps tensor {other!r}; "
                    f"it must start at offset {expected:,}, after the tensor before it")
        if offset > expected:
            return (f"tensor {name!r} starts at data offset {offset:,}, but the tensor before it ends at "
                    f"{expected:,}: llama.cpp needs the tensors stored one after another, in table order")
        placed.append((name, offset, offset + nbytes))
        expected = offset + (nbytes + alignment - 1) // alignment * alignment
    return ""


def expected_tensors(hp: dict, n_vocab: int) -> dict[str, tuple[tuple[int, ...], bool]]:
    """name → (GGUF dims, ne0 first; required) for gptneox / gpt2."""
    arch, E, F = hp["arch"], hp["n_embd"], hp["n_ff"]
    gqa = hp["head_dim"] * hp["n_head_kv"]
    out = {"token_embd.weight": ((E, n_vocab), True),
           "output_norm.weight": ((E,), True), "output_norm.bias": ((E,), True),
           "output.weight": ((E, n_vocab), arch == "gptneox")}
    if arch == "gpt2":
        out["position_embd.weight"] = ((E, hp["n_ctx"]), True)
    for i in range(hp["n_layer"]):
        b = f"blk.{i}."
        for name, dims in (("attn_norm.weight", (E,)), ("attn_norm.bias", (E,)),
                           ("attn_qkv.weight", (E, E + 2 * gqa)), ("attn_qkv.bias", (E + 2 * gqa,)),
                           ("attn_output.weight", (E, E)), ("attn_output.bias", (E,)),
                           ("ffn_norm.weight", (E,)), ("ffn_norm.bias", (E,)),
                           ("ffn_up.weight", (E, F)), ("ffn_up.bias", (F,)),
                           ("ffn_down.weight", (F, E)), ("ffn_down.bias", (E,))):
            out[b + name] = (dims, True)
    return out


def check_tensors(c, hp: dict, n_vocab: int | None) -> None:
    """Add to checker ``c`` every tensor problem: bad dimensions, unknown types, and (for the
    architectures Hanashi runs) missing, misshapen or surplus tensors."""
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

    names = {}
    for name, dims, ggml_type, _offset in c.tensors:
        key = f"tensor {name}"
        n = 1
        for d in dims:
            n *= d
        if not dims or any(d < 1 for d in dims) or n > _MAX_ELEMENTS:
            c.add(key, list(dims), "every dimension must be at least 1 and the element count must fit in 64 bits")
        try:
            qtype = GGMLQuantizationType(ggml_type)
        except ValueError:
            c.add(key, ggml_type, "is not a tensor type llama.cpp knows",
                  "the file needs a newer Hanashi, or it is damaged: download it again")
        else:
            block = GGML_QUANT_SIZES.get(qtype, (1, 1))[0]
            if dims and dims[0] % block:
                c.add(key, list(dims), f"the first dimension must be a multiple of {block}, the block size of "
                      f"type {qtype.name}")
        if name in names:
            c.add(key, name, "appears twice in the tensor table")
        names[name] = tuple(dims)
    if hp["arch"] not in ("gptneox", "gpt2") or n_vocab is None:
        emb = names.get("token_embd.weight")
        if emb and n_vocab and hp.get("n_embd") and len(emb) == 2 and emb != (hp["n_embd"], n_vocab):
            c.add("tensor token_embd.weight", list(emb),
                  f"must have shape [{hp['n_embd']}, {n_vocab}] (embedding_length × tokens)")
        return
    if not all(hp.get(k) for k in ("n_embd", "n_layer", "n_ff", "n_head", "head_dim", "n_ctx")):
        return  # the hyper-parameters are already reported; shapes cannot be derived
    expected = expected_tensors(hp, n_vocab)
    missing = [n for n, (_d, required) in expected.items() if required and n not in names]
    if missing:
        c.add(f"tensor {missing[0]}", None,
              f"is missing ({len(missing)} tensor{'s' if len(missing) > 1 else ''} the hyper-parameters need "
              f"{'are' if len(missing) > 1 else 'is'} absent: {', '.join(missing[:4])}{' …' if len(missing) > 4 else ''})")
    for name, (dims, _required) in expected.items():
        got = names.get(name)
        if got is not None and got != dims:
            what = " (rows = token count)" if name in ("token_embd.weight", "output.weight") else ""
            c.add(f"tensor {name}", list(got), f"must have shape {list(dims)}{what}")
    surplus = [n for n in names if n not in expected]
    if surplus:
        blocks = [n for n in surplus if (m := _BLOCK.match(n)) and int(m.group(1)) >= hp["n_layer"]]
        why = (f"block_count is {hp['n_layer']} but the file has tensors of more blocks" if blocks
               else f"{hp['arch']} has no such tensors")
        c.add("tensors", surplus[:4] if len(surplus) <= 4 else surplus[:4] + ["…"], why)
