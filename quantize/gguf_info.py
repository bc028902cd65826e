"""Reading a GGUF's metadata (standard and ``hanashi.*``) without loading its weights.

The header is parsed straight from a memory map: big arrays (the vocabulary, the embedded
sentencepiece model) are skipped or sliced whole, never walked element by element, so opening even
a large model's metadata takes milliseconds. The tensor table is checked against the file size,
so a truncated download is reported as such before llama.cpp ever sees it.
"""

from __future__ import annotations

import json
import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GGUFFileError

FILE_TYPES = {0: "f32", 1: "f16", 2: "q4_0", 3: "q4_1", 7: "q8_0", 8: "q5_0", 9: "q5_1", 10: "q2_k",
              11: "q3_k_s", 12: "q3_k_m", 13: "q3_k_l", 14: "q4_k_s", 15: "q4_k_m", 16: "q5_k_s",
              17: "q5_k_m", 18: "q6_k", 32: "bf16"}


@dataclass
class GGUFInfo:
    path: Path
    size: int
    architecture: str
    name: str = ""
    file_type: str = "?"
    n_ctx: int = 0
    n_layer: int = 0
    n_embd: int = 0
    chat_template: str = ""
    bos_id: int | None = None
    eos_id: int | None = None
    tokenizer_kind: str = ""
    # Hanashi's keys (absent in files converted elsewhere)
    family: str | None = None
    sampling: dict = field(default_factory=dict)
    stop_strings: list[str] = field(default_factory=list)
    newline: str = ""
    strip_pieces: list[str] = field(default_factory=list)
    banned_token_ids: list[int] = field(default_factory=list)
    context_limit: int = 0
    reply_budget: int = 0
    sp_model: bytes = b""
    runtime_tokenizer: str = ""  # "llama.cpp" | "sentencepiece" | "" (not measured)
    parity: dict = field(default_factory=dict)

    @property
    def has_hanashi_metadata(self) -> bool:
        return self.family is not None


_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
# Arrays only counted, never decoded: the vocabulary (llama.cpp reads it itself).
_SKIP = {"tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
         "tokenizer.ggml.merges", "tokenizer.ggml.precompiled_charsmap"}


class _Cursor:
    def __init__(self, buf):
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str):
        value = struct.unpack_from(fmt, self.buf, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def string(self) -> str:
        n = self.take("<Q")
        if self.pos + n > len(self.buf):
            raise ValueError("a string runs past the end of the file")
        raw = self.buf[self.pos:self.pos + n]
        self.pos += n
        return bytes(raw).decode("utf-8", "replace")

    def skip_string(self) -> None:
        n = self.take("<Q")
        self.pos += n

    def value(self, vtype: int, keep: bool = True):
        if vtype in _SCALARS:
            return self.take(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype != _ARRAY:
            raise ValueError(f"unknown metadata value type {vtype}")
        itype, count = self.take("<I"), self.take("<Q")
        if itype in _SCALARS:
            size = struct.calcsize(_SCALARS[itype])
            start, self.pos = self.pos, self.pos + size * count
            if self.pos > len(self.buf):
                raise ValueError("an array runs past the end of the file")
            if not keep:
                return None
            if itype == 0:
                return bytes(self.buf[start:self.pos])
            return list(struct.unpack_from(f"<{count}{_SCALARS[itype][1]}", self.buf, start))
        if itype == _STRING:
            if not keep:
                for _ in range(count):
                    self.skip_string()
                return None
            return [self.string() for _ in range(count)]
        return [self.value(itype, keep) for _ in range(count)]


def read_header(path: Path) -> tuple[dict, list[tuple[str, tuple[int, ...], int, int]], int]:
    """(metadata, tensors as (name, shape, ggml type, offset), the file offset where data starts)."""
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise GGUFFileError("not_gguf", "not a GGUF file (wrong magic bytes)", path,
                                 "open a .gguf model file, or convert a Hugging Face folder with hanashi-quantize")
        f.seek(0)
        try:
            buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            raise GGUFFileError("not_gguf", "the file is empty", path,
                                "download or convert the model again") from None
    try:
        cur = _Cursor(buf)
        cur.pos = 4
        version = cur.take("<I")
        if version < 2:
            raise GGUFFileError("not_gguf", f"GGUF version {version} is too old", path,
                                "convert the model again")
        n_tensors, n_kv = cur.take("<Q"), cur.take("<Q")
        kv = {}
        for _ in range(n_kv):
            key = cur.string()
            kv[key] = cur.value(cur.take("<I"), keep=key not in _SKIP)
        tensors = []
        for _ in range(n_tensors):
            name = cur.string()
            dims = tuple(cur.take("<Q") for _ in range(cur.take("<I")))
            tensors.append((name, dims, cur.take("<I"), cur.take("<Q")))
        align = int(kv.get("general.alignment", 32) or 32)
        data_start = (cur.pos + align - 1) // align * align
        return kv, tensors, data_start
    except (struct.error, ValueError, UnicodeDecodeError, OverflowError, MemoryError) as e:
        raise GGUFFileError("corrupt", f"the GGUF header is damaged or truncated ({e})", path,
                                "download or convert the file again") from None
    finally:
        buf.close()


def tensor_bytes(dims: tuple[int, ...], ggml_type: int) -> int | None:
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

    try:
        block, size = GGML_QUANT_SIZES[GGMLQuantizationType(ggml_type)]
    except (ValueError, KeyError):
        return None
    n = 1
    for d in dims:
        n *= d
    return n // block * size


def check_complete(path: Path, tensors, data_start: int, file_size: int) -> None:
    """Raise GGUFFileError when the tensor data reaches past the end of the file."""
    end = data_start
    for _name, dims, ggml_type, offset in tensors:
        nbytes = tensor_bytes(dims, ggml_type)
        if nbytes is not None:
            end = max(end, data_start + offset + nbytes)
    if end > file_size:
        raise GGUFFileError("corrupt", f"the file is truncated: its tensors need {end:,} bytes but it has {file_size:,}",
                                path, "the download or conversion was cut short: download or convert it again")


def read_metadata(path: str | Path) -> dict:
    """Every metadata key and value (the vocabulary arrays are listed with the value None)."""
    return read_header(Path(path))[0]


def read_info(path: str | Path) -> GGUFInfo:
    """The file's metadata as a GGUFInfo; GGUFFileError when it is missing, not a GGUF or damaged."""
    path = Path(path)
    if not path.is_file():
        raise GGUFFileError("missing", "no such model file", path, "check the path to the .gguf file")
    kv, tensors, data_start = read_header(path)
    size = path.stat().st_size
    check_complete(path, tensors, data_start, size)
    arch = kv.get("general.architecture", "")
    h = "hanashi."
    info = GGUFInfo(path=path, size=size, architecture=arch, name=kv.get("general.name", ""),
                    file_type=FILE_TYPES.get(kv.get("general.file_type", -1), "?"),
                    n_ctx=int(kv.get(f"{arch}.context_length", 0) or 0),
                    n_layer=int(kv.get(f"{arch}.block_count", 0) or 0),
                    n_embd=int(kv.get(f"{arch}.embedding_length", 0) or 0),
                    chat_template=kv.get("tokenizer.chat_template", "") or "",
                    bos_id=kv.get("tokenizer.ggml.bos_token_id"), eos_id=kv.get("tokenizer.ggml.eos_token_id"),
                    tokenizer_kind=kv.get("tokenizer.ggml.model", ""))
    if h + "family" in kv:
        info.family = kv[h + "family"]
        try:
            info.sampling = json.loads(kv.get(h + "sampling", "{}"))
        except ValueError:
            info.sampling = {}
        info.stop_strings = list(kv.get(h + "stop_strings", []))
        info.newline = kv.get(h + "newline", "")
        info.strip_pieces = list(kv.get(h + "strip_pieces", []))
        info.banned_token_ids = list(kv.get(h + "banned_token_ids", []))
        info.context_limit = int(kv.get(h + "context_limit", 0))
        info.reply_budget = int(kv.get(h + "reply_budget", 0))
        info.sp_model = kv.get(h + "tokenizer.sp_model", b"") or b""
        info.runtime_tokenizer = kv.get(h + "tokenizer.runtime", "")
        info.parity = {k[len(h + "parity."):]: v for k, v in kv.items() if k.startswith(h + "parity.")}
    return info


def head_counts(path: Path) -> tuple[int, int]:
    """(attention heads, key/value heads) of the file's architecture; 0 where not recorded."""
    kv, _, _ = read_header(path)
    arch = kv.get("general.architecture", "")

    def first(v):
        return max(v) if isinstance(v, list) and v else (v or 0)

    heads = first(kv.get(f"{arch}.attention.head_count"))
    return int(heads), int(first(kv.get(f"{arch}.attention.head_count_kv")) or heads)
