"""Reading a GGUF's metadata (standard and ``hanashi.*``) without loading its weights."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConversionError

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


def _value(field_):
    from gguf import GGUFValueType

    types = field_.types
    if not types:
        return None
    if types[0] == GGUFValueType.STRING:
        return bytes(field_.parts[field_.data[0]]).decode("utf-8", "replace")
    if types[0] == GGUFValueType.ARRAY:
        sub = types[-1]
        if sub == GGUFValueType.STRING:
            return [bytes(field_.parts[i]).decode("utf-8", "replace") for i in field_.data]
        if sub == GGUFValueType.UINT8:
            return b"".join(bytes(field_.parts[i]) for i in field_.data)
        return [field_.parts[i].tolist()[0] for i in field_.data]
    return field_.parts[field_.data[0]].tolist()[0]


_SKIP = {"tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
         "tokenizer.ggml.merges", "tokenizer.ggml.precompiled_charsmap"}


def read_metadata(path: Path) -> dict:
    from gguf import GGUFReader

    reader = GGUFReader(str(path), "r")
    return {k: _value(f) for k, f in reader.fields.items() if k not in _SKIP and not k.startswith("GGUF.")}


def read_info(path: str | Path) -> GGUFInfo:
    path = Path(path)
    if not path.is_file():
        raise ConversionError("file not found", path, "check the path")
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic != b"GGUF":
        raise ConversionError("not a GGUF file (wrong magic bytes)", path,
                              "open a .gguf model file, or convert a Hugging Face folder with hanashi-quantize")
    try:
        kv = read_metadata(path)
    except Exception as e:  # the reader raises plain ValueError/IndexError on damaged files
        raise ConversionError(f"the GGUF header is damaged or truncated ({e})", path,
                              "download or convert the file again") from e
    arch = kv.get("general.architecture", "")
    h = "hanashi."
    info = GGUFInfo(path=path, size=path.stat().st_size, architecture=arch, name=kv.get("general.name", ""),
                    file_type=FILE_TYPES.get(kv.get("general.file_type", -1), "?"),
                    n_ctx=int(kv.get(f"{arch}.context_length", 0) or 0),
                    n_layer=int(kv.get(f"{arch}.block_count", 0) or 0),
                    n_embd=int(kv.get(f"{arch}.embedding_length", 0) or 0),
                    chat_template=kv.get("tokenizer.chat_template", "") or "",
                    bos_id=kv.get("tokenizer.ggml.bos_token_id"), eos_id=kv.get("tokenizer.ggml.eos_token_id"),
                    tokenizer_kind=kv.get("tokenizer.ggml.model", ""))
    if h + "family" in kv:
        info.family = kv[h + "family"]
        info.sampling = json.loads(kv.get(h + "sampling", "{}"))
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
