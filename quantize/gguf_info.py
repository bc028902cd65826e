"""Reading a GGUF's metadata (standard and ``hanashi.*``) without loading its weights.

The header is parsed straight from a memory map: big arrays (the vocabulary, the embedded
sentencepiece model) are skipped or sliced whole, never walked element by element, so opening even
a large model's metadata takes milliseconds. The tensor table is checked against the file size
and against the layout llama.cpp reads (GGUF version 2 or 3, each tensor's data aligned and stored
right after the one before it), so a truncated download or a damaged offset is reported, naming the
tensor, before llama.cpp ever sees the file.
"""

from __future__ import annotations

import errno
import json
import mmap
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GGUFFileError
from .gguf_tensors import check_complete, layout_problem, tensor_bytes  # noqa: F401 - part of this API

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
    # Values of the wrong type, read as their defaults (gguf_check reports them in full).
    problems: list[str] = field(default_factory=list)

    @property
    def has_hanashi_metadata(self) -> bool:
        return self.family is not None


_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY, _U32 = 8, 9, 4
TYPE_NAMES = {0: "uint8", 1: "int8", 2: "uint16", 3: "int16", 4: "uint32", 5: "int32", 6: "float32", 7: "bool",
              8: "string", 9: "array", 10: "uint64", 11: "int64", 12: "float64"}
# Arrays only counted, never decoded: the vocabulary (llama.cpp reads it itself).
_SKIP = {"tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
         "tokenizer.ggml.merges", "tokenizer.ggml.precompiled_charsmap"}
# Prefixes of keys only counted too: byGPT's extra tensors, stored as raw bytes (quantize.bygpt.gguf_extra).
_SKIP_PREFIXES = ("hanashi.bygpt.tensor.",)
_MAX_NESTING = 4  # arrays of arrays deeper than this are not something any model writes
_MAX_DIMS = 4  # GGML_MAX_DIMS
SUPPORTED_VERSIONS = (2, 3)  # what llama.cpp's gguf reader accepts


@dataclass(frozen=True)
class ValueType:
    """A metadata value's GGUF type: ``vtype`` (TYPE_NAMES), for arrays the element type and count."""

    vtype: int
    itype: int | None = None
    count: int = 0

    def __str__(self) -> str:
        if self.vtype == _ARRAY:
            return f"array of {self.count} {TYPE_NAMES.get(self.itype, '?')}"
        return TYPE_NAMES.get(self.vtype, "?")


@dataclass
class Header:
    """A GGUF header: metadata values, their GGUF types, the tensor table and where data starts."""

    kv: dict
    types: dict[str, ValueType]
    tensors: list[tuple[str, tuple[int, ...], int, int]]
    data_start: int
    alignment: int = 32  # general.alignment: every tensor's data offset is a multiple of it


class _Cursor:
    def __init__(self, buf):
        self.buf = buf
        self.pos = 0
        self.last_array: tuple[int | None, int] = (None, 0)

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

    def value(self, vtype: int, keep: bool = True, depth: int = 0):
        if vtype in _SCALARS:
            return self.take(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype != _ARRAY:
            raise ValueError(f"unknown metadata value type {vtype}")
        if depth >= _MAX_NESTING:
            raise ValueError("arrays are nested too deeply")
        itype, count = self.take("<I"), self.take("<Q")
        if depth == 0:
            self.last_array = (itype, count)
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
        if itype != _ARRAY:
            raise ValueError(f"unknown array element type {itype}")
        if count > len(self.buf) - self.pos:  # every element takes at least one byte
            raise ValueError("an array runs past the end of the file")
        return [self.value(itype, keep, depth + 1) for _ in range(count)]


def read_header(path: Path) -> tuple[dict, list[tuple[str, tuple[int, ...], int, int]], int]:
    """(metadata, tensors as (name, shape, ggml type, offset), the file offset where data starts)."""
    h = read_typed_header(path)
    return h.kv, h.tensors, h.data_start


def read_typed_header(path: Path, vocab: bool = False) -> Header:
    """The header with every value's GGUF type; ``vocab`` also decodes the token list and scores."""
    path = Path(path)
    mode = stat_file(path).st_mode
    if not stat.S_ISREG(mode):
        raise GGUFFileError("not_gguf", "this is not a regular file (a folder, pipe or device)", path,
                            "open a .gguf model file", code="gguf.not_file")
    try:
        return _read_typed_header(path, vocab)
    except OSError as e:
        raise GGUFFileError("corrupt", f"the file cannot be read ({e.strerror or e})", path,
                            "check that the file is readable, or download it again",
                            code="gguf.unreadable") from None


def stat_file(path: Path):
    """``os.stat`` of a model file; GGUFFileError("missing") saying why it cannot be looked at."""
    try:
        return path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise GGUFFileError("missing", "the file is a link to a file that does not exist", path,
                                "open the file the link pointed to, or remove the link",
                                code="gguf.dangling_link") from None
        raise GGUFFileError("missing", "no such model file", path, "check the path to the .gguf file") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise GGUFFileError("missing", "the file is a link that points to itself (a symlink loop)", path,
                                "remove the link and open the model file itself", code="gguf.link_loop") from None
        raise GGUFFileError("missing", f"the file cannot be read ({e.strerror or e})", path,
                            "check the path to the .gguf file and that it is readable",
                            code="gguf.unreadable") from None


def _read_typed_header(path: Path, vocab: bool) -> Header:
    skip = _SKIP - {"tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"} if vocab else _SKIP
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise GGUFFileError("not_gguf", "not a GGUF file (wrong magic bytes)", path,
                                 "open a .gguf model file, or convert a Hugging Face folder with hanashi-quantize")
        f.seek(0)
        try:
            buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file cannot be mapped
            raise GGUFFileError("not_gguf", "the file is empty", path,
                                "download or convert the model again", code="gguf.empty") from None
    try:
        cur = _Cursor(buf)
        cur.pos = 4
        version = cur.take("<I")
        if version not in SUPPORTED_VERSIONS:
            raise GGUFFileError("not_gguf", _version_problem(version), path,
                                "convert the model again, or download a current GGUF of it",
                                code="gguf.version", params={"version": version})
        n_tensors, n_kv = cur.take("<Q"), cur.take("<Q")
        kv, types = {}, {}
        for _ in range(n_kv):
            key = cur.string()
            vtype = cur.take("<I")
            cur.last_array = (None, 0)
            kv[key] = cur.value(vtype, keep=key not in skip and not key.startswith(_SKIP_PREFIXES))
            types[key] = ValueType(vtype, *cur.last_array) if vtype == _ARRAY else ValueType(vtype)
        tensors = []
        for _ in range(n_tensors):
            name = cur.string()
            n_dims = cur.take("<I")
            if n_dims > _MAX_DIMS:
                raise ValueError(f"tensor {name!r} has {n_dims} dimensions (at most {_MAX_DIMS})")
            dims = tuple(cur.take("<Q") for _ in range(n_dims))
            tensors.append((name, dims, cur.take("<I"), cur.take("<Q")))
        align = kv.get("general.alignment", 32)
        if "general.alignment" in kv and types["general.alignment"].vtype != _U32:
            raise ValueError(f"general.alignment has type {types['general.alignment']}, llama.cpp needs uint32")
        if type(align) is not int or align <= 0 or align & (align - 1):
            raise ValueError(f"general.alignment {align!r} is not a power of two")
        data_start = (cur.pos + align - 1) // align * align
        return Header(kv, types, tensors, data_start, align)
    except (struct.error, ValueError, UnicodeDecodeError, OverflowError, MemoryError, RecursionError) as e:
        raise GGUFFileError("corrupt", f"the GGUF header is damaged or truncated ({e})", path,
                                "download or convert the file again", code="gguf.header_damaged") from None
    finally:
        buf.close()


def _version_problem(version: int) -> str:
    if version == 1:
        return "GGUF version 1 is too old (llama.cpp reads versions 2 and 3)"
    if version and version & 0xFFFF == 0:
        return (f"GGUF version {version:#x} is not a version llama.cpp reads: the file is damaged, or was "
                "written for a machine of the other byte order")
    return f"GGUF version {version} is not one llama.cpp reads (versions 2 and 3): the file is damaged or too new"


def read_metadata(path: str | Path) -> dict:
    """Every metadata key and value (the vocabulary arrays are listed with the value None)."""
    return read_header(Path(path))[0]


def read_info(path: str | Path) -> GGUFInfo:
    """The file's metadata as a GGUFInfo; GGUFFileError when it is missing, not a GGUF or damaged.

    A value of the wrong type never raises: it reads as its default and is noted in ``problems``
    (``gguf_check`` tells whether the file is usable).
    """
    path = Path(path)
    stat_file(path)  # a missing file, a dangling link or a symlink loop, each in its own words
    header = read_typed_header(path)
    return info_from_header(path, header)


def info_from_header(path: Path, header: Header) -> GGUFInfo:
    kv, tensors, data_start = header.kv, header.tensors, header.data_start
    size = stat_file(path).st_size
    check_complete(path, tensors, data_start, size, header.alignment)
    problems: list[str] = []

    def get(key, kind, default):
        value = kv.get(key, default)
        ok = {"int": lambda v: type(v) is int, "str": lambda v: isinstance(v, str),
              "bool": lambda v: type(v) is bool, "bytes": lambda v: isinstance(v, bytes),
              "strs": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
              "ints": lambda v: isinstance(v, list) and all(type(x) is int for x in v)}[kind]
        if key in kv and not ok(value):
            problems.append(f"{key} has type {header.types.get(key, '?')}, expected {kind}")
            return default
        return value

    arch = get("general.architecture", "str", "")
    h = "hanashi."
    file_type = get("general.file_type", "int", -1)
    info = GGUFInfo(path=path, size=size, architecture=arch, name=get("general.name", "str", ""),
                    file_type=FILE_TYPES.get(file_type, "?"),
                    n_ctx=get(f"{arch}.context_length", "int", 0),
                    n_layer=get(f"{arch}.block_count", "int", 0),
                    n_embd=get(f"{arch}.embedding_length", "int", 0),
                    chat_template=get("tokenizer.chat_template", "str", ""),
                    bos_id=get("tokenizer.ggml.bos_token_id", "int", None),
                    eos_id=get("tokenizer.ggml.eos_token_id", "int", None),
                    tokenizer_kind=get("tokenizer.ggml.model", "str", ""))
    if h + "family" in kv:
        info.family = get(h + "family", "str", "")
        info.sampling = _sampling(get(h + "sampling", "str", "{}"), problems)
        info.stop_strings = list(get(h + "stop_strings", "strs", []))
        info.newline = get(h + "newline", "str", "")
        info.strip_pieces = list(get(h + "strip_pieces", "strs", []))
        info.banned_token_ids = list(get(h + "banned_token_ids", "ints", []))
        info.context_limit = get(h + "context_limit", "int", 0)
        info.reply_budget = get(h + "reply_budget", "int", 0)
        info.sp_model = get(h + "tokenizer.sp_model", "bytes", b"")
        info.runtime_tokenizer = get(h + "tokenizer.runtime", "str", "")
        info.parity = _parity(kv, h + "parity.", problems)
    info.problems = problems
    return info


def _parity(kv: dict, prefix: str, problems: list[str]) -> dict:
    out = {}
    for k, v in kv.items():
        if not k.startswith(prefix):
            continue
        name = k[len(prefix):]
        want = bool if name.endswith(".exact") else int if name.endswith((".matched", ".total")) else str
        if type(v) is not want or (want is int and v < 0):
            problems.append(f"{k} has an invalid value")
            continue
        out[name] = v
    if out.get("tokenizer.matched", 0) > out.get("tokenizer.total", 0):
        out.pop("tokenizer.matched", None)
        out.pop("tokenizer.total", None)
    return out


def _sampling(text: str, problems: list[str]) -> dict:
    try:
        value = json.loads(text) if len(text) <= 65536 else None
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        problems.append("hanashi.sampling is not a JSON object")
        return {}
    return value


def head_counts(path: Path) -> tuple[int, int]:
    """(attention heads, key/value heads) of the file's architecture; 0 where not recorded."""
    kv, _, _ = read_header(path)
    arch = kv.get("general.architecture", "")
    arch = arch if isinstance(arch, str) else ""

    def first(v):
        if isinstance(v, list):
            v = max((x for x in v if type(x) is int), default=0)
        return v if type(v) is int and v > 0 else 0

    heads = first(kv.get(f"{arch}.attention.head_count"))
    return heads, first(kv.get(f"{arch}.attention.head_count_kv")) or heads
