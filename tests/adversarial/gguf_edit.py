"""Editing GGUF files for hostile cases: rewriting with gguf-py's GGUFWriter, patching bytes in place.

``rewrite`` writes a new file with values replaced (of any type), keys removed, tensors dropped or
changed; ``patch`` copies the file and changes bytes (counts, lengths, offsets, truncation, flips),
which no writer would produce. ``says`` and ``no_escape`` judge a chat's output.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .templates import ESCAPE_MARKER


@dataclass(frozen=True)
class V:
    """A metadata value with an explicit GGUF type (``gguf.GGUFValueType`` names)."""

    value: object
    type: str
    sub: str | None = None


def u32(v): return V(v, "UINT32")
def i32(v): return V(v, "INT32")
def i64(v): return V(v, "INT64")
def f32(v): return V(v, "FLOAT32")
def s(v): return V(v, "STRING")
def arr(values, sub): return V(list(values), "ARRAY", sub)


# ------------------------------------------------------------------ rewriting

def rewrite(src: Path, dst: Path, set_kv: dict | None = None, remove: tuple[str, ...] = (),
            tensors: Callable[[list], list] | None = None, arch: str | None = None) -> Path:
    """A copy of ``src`` with keys replaced/added (``set_kv``: key → V), keys removed (prefixes in
    ``remove``) and the tensor list passed through ``tensors`` (list of [name, array, ggml type])."""
    import gguf

    set_kv = set_kv or {}
    T = gguf.GGUFValueType
    reader = gguf.GGUFReader(str(src), "r")
    writer = gguf.GGUFWriter(str(dst), arch or reader.get_field("general.architecture").contents(),
                             endianess=reader.endianess)
    for f in reader.fields.values():
        if f.name.startswith("GGUF.") or f.name == "general.architecture" or f.name in set_kv \
                or any(f.name.startswith(p) for p in remove):
            continue
        vtype = f.types[0]
        writer.add_key_value(f.name, f.contents(), vtype, sub_type=f.types[-1] if vtype == T.ARRAY else None)
    for name, v in set_kv.items():
        if v is None:
            continue
        writer.add_key_value(name, v.value, T[v.type], sub_type=T[v.sub] if v.sub else None)
    items = [[t.name, np.array(t.data), t.tensor_type] for t in reader.tensors]
    if tensors:
        items = tensors(items)
    for name, data, ttype in items:
        writer.add_tensor_info(name, data.shape, data.dtype, data.nbytes, ttype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for _name, data, _t in items:
        writer.write_tensor_data(data)
    writer.close()
    return dst


def rw(**kw) -> Callable[[Path, Path], None]:
    def make(src: Path, dst: Path) -> None:
        rewrite(src, dst, **kw)
    return make


def field_contents(src: Path, name: str):
    import gguf

    return gguf.GGUFReader(str(src), "r").get_field(name).contents()


def tokens_edit(fn: Callable[[list[str], list[int]], None], **kw) -> Callable[[Path, Path], None]:
    """Rewrite the vocabulary: ``fn(tokens, token_types)`` edits the lists in place."""
    def make(src: Path, dst: Path) -> None:
        tokens = list(field_contents(src, "tokenizer.ggml.tokens"))
        types = list(field_contents(src, "tokenizer.ggml.token_type"))
        fn(tokens, types)
        extra = kw.get("set_kv", {})
        set_kv = {"tokenizer.ggml.tokens": arr(tokens, "STRING"),
                  "tokenizer.ggml.token_type": arr(types, "INT32"), **extra}
        rewrite(src, dst, set_kv=set_kv, remove=kw.get("remove", ()))
    return make


def no_byte_tokens(tokens: list[str], types: list[int]) -> None:
    for i, t in enumerate(tokens):
        if t.startswith("<0x") and t.endswith(">") and len(t) == 6:
            tokens[i] = f"▁unused{i}"
            types[i] = 1


def duplicate_token(tokens, types):
    tokens[500] = tokens[501]


def empty_token(tokens, types):
    tokens[500] = ""


# ------------------------------------------------------------------ patching bytes

def patch(fn: Callable[[bytearray, object], None]) -> Callable[[Path, Path], None]:
    """Copy, then ``fn(bytes, reader)`` edits the file's bytes (the reader gives field offsets)."""
    def make(src: Path, dst: Path) -> None:
        import gguf

        reader = gguf.GGUFReader(str(src), "r")
        data = bytearray(src.read_bytes())
        fn(data, reader)
        dst.write_bytes(bytes(data))
    return make


def truncate_at(where: Callable[[object, int], int]) -> Callable[[Path, Path], None]:
    def make(src: Path, dst: Path) -> None:
        import gguf

        size = src.stat().st_size
        at = where(gguf.GGUFReader(str(src), "r"), size)
        dst.write_bytes(src.read_bytes()[:at])
    return make


def part_offset(reader, name: str, part: int) -> int:
    """Byte offset in the file of ``parts[part]`` of field ``name``."""
    f = reader.fields[name]
    pos = f.offset
    for p in f.parts[:part]:
        pos += p.nbytes
    return pos


def set_u64(offset_of: Callable[[object], int], value):
    """``value``: an int, or a function of the reader."""
    def fn(data: bytearray, reader) -> None:
        o = offset_of(reader)
        data[o:o + 8] = struct.pack("<Q", value(reader) if callable(value) else value)
    return fn


def set_u32(offset_of: Callable[[object], int], value: int):
    def fn(data: bytearray, reader) -> None:
        o = offset_of(reader)
        data[o:o + 4] = struct.pack("<I", value)
    return fn


def flip(offsets: Callable[[object, int], list[int]]):
    def fn(data: bytearray, reader) -> None:
        for o in offsets(reader, len(data)):
            data[o] ^= 0xFF
    return fn


def rename_tensor(old: str, new: str):
    """The tensor table entry ``old`` renamed to ``new`` (same length), e.g. a duplicate name."""
    def fn(data: bytearray, reader) -> None:
        for t in reader.tensors:
            if t.name == old:
                o = t.field.offset + 8
                data[o:o + len(old)] = new.encode()
    return fn


def kv_region(reader) -> tuple[int, int]:
    first = reader.fields["general.architecture"].offset
    end = reader.tensors[0].field.offset
    return first, end


def tensor_offset_pos(reader, i: int) -> int:
    f = reader.tensors[i].field
    return f.offset + sum(p.nbytes for p in f.parts[:-1])


def tensor_type_pos(reader, i: int) -> int:
    f = reader.tensors[i].field
    return f.offset + sum(p.nbytes for p in f.parts[:-2])


def data_start(reader) -> int:
    return int(reader.data_offset)


# ------------------------------------------------------------------ checks on a chat's output

def says(*words: str) -> Callable[[str, str], str | None]:
    """An exit-0 chat must either reply something or say why not, using one of ``words``."""
    def check(stdout: str, stderr: str) -> str | None:
        # the file's own path (which names the case) does not count as saying anything
        text = " ".join(w for w in (stdout + " " + stderr).lower().split() if ".gguf" not in w)
        if any(w.lower() in text for w in words):
            return None
        replies = [ln for ln in stdout.splitlines() if ln.strip()]
        if replies:
            return None
        return f"empty reply and no word about {' / '.join(words)}"
    return check


def no_escape(stdout: str, stderr: str) -> str | None:
    if ESCAPE_MARKER.exists():
        ESCAPE_MARKER.unlink()
        return f"the chat template ran code: {ESCAPE_MARKER} was created"
    for bad in ("<class 'subprocess.Popen'>", "<module 'os'", "__builtins__"):
        if bad in stdout + stderr:
            return f"the chat template reached Python internals ({bad})"
    return None


def r_off(reader, i: int) -> int:
    return int(reader.tensors[i].field.parts[-1][0])
