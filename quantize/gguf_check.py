"""Checking a GGUF's metadata values against what llama.cpp and Hanashi will do with them.

The header reader (gguf_info) checks structure: that the file is a GGUF and is complete. This
module checks values: every hyper-parameter llama.cpp reads for the architectures Hanashi runs
(``gptneox``, ``gpt2``; generic checks for others), the tokenizer, the tensor table and Hanashi's
own ``hanashi.*`` keys — each for its GGUF type and its range. llama.cpp stops the whole process
(GGML_ASSERT, an uncaught C++ exception) on many of these values, so they are refused here, in
Python, before llama.cpp ever sees the file:

    info = checked_info(path)       # GGUFInfo, or InvalidGGUFError listing every problem
    problems = find_problems(path)  # the same problems as a list, for the library view
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import InvalidGGUFError
from .gguf_info import GGUFInfo, Header, info_from_header, read_typed_header
from .gguf_tensors import check_tensors
from .llama_archs import LLAMA_ARCHITECTURES

MIN_CONTEXT = 64  # the smallest context Hanashi runs (a prompt plus a short reply)
MAX_CONTEXT = 1 << 24
MAX_EMBD = 1 << 20
MAX_LAYERS = 512  # LLAMA_MAX_LAYERS
MAX_EXPERTS = 1024  # LLAMA_MAX_EXPERTS
MAX_TOKENS = (1 << 31) - 1
RUNNABLE_TOKENIZERS = ("llama", "t5", "gpt2")
ROPE_SCALING_TYPES = ("none", "linear", "yarn", "longrope")
SAMPLING_RANGES = {  # key: (type, lowest, highest, whether the lowest is allowed)
    "temperature": (float, 0.0, 100.0, True),
    "top_p": (float, 0.0, 1.0, False),
    "top_k": (int, 0, 1 << 20, True),
    "repetition_penalty": (float, 0.0, 100.0, False),
    "max_new_tokens": (int, 1, 1 << 20, True),
}
BYTE_PIECES = tuple(f"<0x{i:02X}>" for i in range(256))
_SPECIAL_IDS = ("bos", "eos", "unk", "seperator", "padding", "mask", "eot", "eom", "cls")

U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
_INTS = (U8, I8, U16, I16, U32, I32, U64, I64)
_FIX = "the file was written wrongly or is damaged: download or convert the model again"


@dataclass(frozen=True)
class Problem:
    """One unusable value: ``key``, the ``value`` found, what is ``allowed``, and a ``fix``."""

    key: str
    value: object
    allowed: str
    fix: str = _FIX

    def __str__(self) -> str:
        if self.value is None:
            return f"{self.key}: {self.allowed}"
        return f"{self.key} = {show(self.value)} ({self.allowed})"


def show(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, list):
        head = ", ".join(show(v) for v in value[:3])
        return f"[{head}{', …' if len(value) > 3 else ''}] ({len(value)} items)"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


class Checker:
    """Collects the problems of one header; each ``want_*`` returns the value when it is usable."""

    def __init__(self, header: Header):
        self.kv, self.types = header.kv, header.types
        self.tensors = header.tensors
        self.problems: list[Problem] = []

    def add(self, key: str, value, allowed: str, fix: str = _FIX) -> None:
        self.problems.append(Problem(key, value, allowed, fix))

    def typed(self, key: str, vtypes: tuple[int, ...], what: str, required: bool):
        if key not in self.kv:
            if required:
                self.add(key, None, f"is missing; it must be {what}")
            return None
        t = self.types.get(key)
        if t is None or t.vtype not in vtypes:
            self.add(key, self.kv[key], f"has type {t}; must be {what}")
            return None
        return self.kv[key]

    def want_int(self, key, lo, hi, required=False, vtypes=(U32,), what=None):
        what = what or f"an integer from {lo:,} to {hi:,}"
        v = self.typed(key, vtypes, what, required)
        if v is None:
            return None
        if not lo <= v <= hi:
            self.add(key, v, f"must be {what}")
            return None
        return v

    def want_float(self, key, lo, hi, required=False, lo_open=True):
        what = f"a finite number {'above' if lo_open else 'from'} {lo:g}{f' up to {hi:g}' if hi else ''}"
        v = self.typed(key, (F32, F64), what, required)
        if v is None:
            return None
        if not math.isfinite(v) or v < lo or (lo_open and v == lo) or (hi and v > hi):
            self.add(key, v, f"must be {what}")
            return None
        return v

    def want_str(self, key, required=False, choices=None, max_len=1 << 20):
        what = f"one of {', '.join(choices)}" if choices else "a text"
        v = self.typed(key, (STR,), what, required)
        if v is None:
            return None
        if choices and v not in choices:
            self.add(key, v, f"must be {what}")
            return None
        if len(v) > max_len:
            self.add(key, f"<{len(v):,} characters>", f"must be at most {max_len:,} characters")
            return None
        return v

    def want_int_or_layers(self, key, n_layer, lo, hi, required=False):
        """A u32, or an array of one per layer (llama.cpp's get_key_or_arr); the largest is returned."""
        if key in self.kv and self.types[key].vtype == ARR:
            v, t = self.kv[key], self.types[key]
            if t.itype not in (U32, I32) or (n_layer and t.count != n_layer):
                self.add(key, v, f"has type {t}; must be an integer, or {n_layer} integers (one per layer)")
                return None
            if not v or not all(lo <= x <= hi for x in v):
                self.add(key, v, f"every entry must be from {lo:,} to {hi:,}")
                return None
            return max(v)
        return self.want_int(key, lo, hi, required)


# --------------------------------------------------------------------------- the parts


def check_hparams(c: Checker, arch: str) -> dict:
    """The hyper-parameters llama.cpp's load_hparams reads (and asserts on)."""
    p = f"{arch}."
    hp = {"arch": arch}
    hp["n_ctx"] = c.want_int(p + "context_length", 1, MAX_CONTEXT, required=True)
    hp["n_embd"] = n_embd = c.want_int(p + "embedding_length", 1, MAX_EMBD, required=True)
    hp["n_layer"] = n_layer = c.want_int(p + "block_count", 1, MAX_LAYERS, required=True)
    hp["n_ff"] = c.want_int_or_layers(p + "feed_forward_length", n_layer or 0, 1, 1 << 24,
                                      required=arch in ("gptneox", "gpt2"))
    n_head = c.want_int_or_layers(p + "attention.head_count", n_layer or 0, 1, 1 << 16,
                                  required=arch in ("gptneox", "gpt2"))
    n_head_kv = c.want_int_or_layers(p + "attention.head_count_kv", n_layer or 0, 1, 1 << 16)
    hp["n_head"], hp["n_head_kv"] = n_head, n_head_kv or n_head
    head_dim = None
    if n_embd and n_head:
        if n_embd % n_head and p + "attention.key_length" not in c.kv:
            c.add(p + "attention.head_count", n_head,
                  f"must divide embedding_length {n_embd} (head dimension = embedding_length / head_count)")
        else:
            head_dim = c.want_int(p + "attention.key_length", 1, 1 << 16) or n_embd // n_head
    if n_head and n_head_kv and n_head % n_head_kv:
        c.add(p + "attention.head_count_kv", n_head_kv, f"must divide attention.head_count {n_head}")
    hp["head_dim"] = head_dim
    uses_rope = arch not in ("gpt2", "bloom", "mpt", "bert")
    rot = c.want_int(p + "rope.dimension_count", 1, 1 << 16,
                     what="an even integer from 2 up to the head dimension")
    if rot is not None and head_dim:
        if uses_rope and (rot % 2 or rot > head_dim):
            c.add(p + "rope.dimension_count", rot,
                  f"must be even, above 0 and at most the head dimension {head_dim}")
        if arch == "llama" and rot != head_dim:
            c.add(p + "rope.dimension_count", rot, f"must equal the head dimension {head_dim} for llama")
    c.want_float(p + "rope.freq_base", 0.0, 0.0)
    c.want_float(p + "rope.scaling.factor", 0.0, 0.0, lo_open=False)
    c.want_str(p + "rope.scaling.type", choices=ROPE_SCALING_TYPES)
    norm_required = arch in ("gptneox", "gpt2")
    c.want_float(p + "attention.layer_norm_epsilon", 0.0, 1.0, required=norm_required)
    c.want_float(p + "attention.layer_norm_rms_epsilon", 0.0, 1.0, required=arch == "llama")
    if arch == "gptneox":
        c.typed(p + "use_parallel_residual", (BOOL,), "true or false", required=True)
    n_expert = c.want_int(p + "expert_count", 0, MAX_EXPERTS)
    used = c.want_int_or_layers(p + "expert_used_count", n_layer or 0, 0, MAX_EXPERTS)
    if used and used > (n_expert or 0):
        c.add(p + "expert_used_count", used, f"must be at most expert_count ({n_expert or 0})")
    nextn = c.want_int(p + "nextn_predict_layers", 0, MAX_LAYERS)
    if nextn and n_layer and nextn > n_layer:
        c.add(p + "nextn_predict_layers", nextn, f"must be at most block_count ({n_layer})")
    return hp


def check_tokenizer(c: Checker, hp: dict) -> list[str] | None:
    """The vocabulary as llama.cpp's llama_vocab::load reads it; returns the token list."""
    t = "tokenizer.ggml."
    kind = c.want_str(t + "model", required=True, choices=RUNNABLE_TOKENIZERS)
    if kind is None and (t + "model") in c.kv and isinstance(c.kv[t + "model"], str):
        c.problems[-1] = Problem(t + "model", c.kv[t + "model"],
                                 f"is a tokenizer type Hanashi cannot run; supported: {', '.join(RUNNABLE_TOKENIZERS)}",
                                 "convert the model with a sentencepiece (llama, t5) or BPE (gpt2) tokenizer")
    tokens = c.typed(t + "tokens", (ARR,), "an array of token texts", required=True)
    if tokens is None:
        return None
    ttype = c.types[t + "tokens"]
    if ttype.itype != STR or not isinstance(tokens, list):
        c.add(t + "tokens", tokens, f"has type {ttype}; must be an array of texts")
        return None
    n = len(tokens)
    if not 1 <= n <= MAX_TOKENS:
        c.add(t + "tokens", tokens, "must hold at least one token")
        return None
    seen: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        if tok == "":
            c.add(f"{t}tokens[{i}]", tok, "token texts must not be empty")
            break
        if tok in seen:
            c.add(f"{t}tokens[{i}]", tok, f"is the same text as token {seen[tok]}; every token text must be unique")
            break
        seen[tok] = i
    for key, itypes in (("scores", (F32, I32)), ("token_type", (I32,))):
        if t + key in c.kv:
            vt = c.types[t + key]
            if vt.vtype != ARR or vt.itype not in itypes or vt.count != n:
                c.add(t + key, c.kv[t + key], f"has type {vt}; must be an array of {n} numbers, one per token")
    if kind == "gpt2":
        merges = c.typed(t + "merges", (ARR,), "an array of merge rules", required=True)
        if merges is not None and c.types[t + "merges"].itype != STR:
            c.add(t + "merges", merges, f"has type {c.types[t + 'merges']}; must be an array of texts")
    for role in _SPECIAL_IDS:
        c.want_int(f"{t}{role}_token_id", 0, n - 1, what=f"a token id from 0 to {n - 1}")
    for flag in ("add_bos_token", "add_eos_token", "add_space_prefix", "remove_extra_whitespaces"):
        c.typed(t + flag, (BOOL,), "true or false", required=False)
    if kind == "llama":
        missing = [b for b in BYTE_PIECES if b not in seen]
        if missing and not _sentencepiece_runtime(c):
            c.add(t + "model", "llama",
                  f"needs all 256 byte tokens <0x00>…<0xFF>, but {len(missing)} are missing (e.g. {missing[0]}); "
                  "llama.cpp would stop on the first character outside the vocabulary",
                  "convert the model again with this version of Hanashi (it picks a tokenizer type "
                  "llama.cpp can run), or use a GGUF whose tokenizer has byte pieces")
    if kind == "t5":
        unk = c.kv.get(t + "unknown_token_id", 2)
        if type(unk) is not int or not 0 <= unk < n:
            c.add(t + "unknown_token_id", unk if t + "unknown_token_id" in c.kv else None,
                  f"the t5 tokenizer needs an unknown token id from 0 to {n - 1}")
        charsmap = c.kv.get(t + "precompiled_charsmap")
        if t + "precompiled_charsmap" in c.kv and c.types[t + "precompiled_charsmap"].itype not in (U8, I8):
            c.add(t + "precompiled_charsmap", charsmap, "must be an array of bytes")
    c.want_str("tokenizer.chat_template", max_len=1 << 40)  # its size is bounded where it is rendered
    return tokens


def _sentencepiece_runtime(c: Checker) -> bool:
    """Hanashi tokenizes with the embedded sentencepiece model, never with llama.cpp's tokenizer."""
    sp = c.kv.get("hanashi.tokenizer.sp_model")
    return isinstance(sp, bytes) and bool(sp) and c.kv.get("hanashi.tokenizer.runtime", "") in ("sentencepiece", "")


def check_hanashi(c: Checker, tokens: list[str] | None) -> None:
    """Hanashi's own keys, which the app reads at load and on every reply."""
    h = "hanashi."
    if h + "family" not in c.kv:
        return
    n = len(tokens) if tokens else None
    c.want_str(h + "family", max_len=200)
    c.want_int(h + "format_version", 0, 1 << 16)
    text = c.want_str(h + "sampling", max_len=65536)
    if text is not None:
        check_sampling(c, text)
    for key, most in (("stop_strings", 64), ("strip_pieces", 64)):
        v = c.typed(h + key, (ARR,), f"an array of at most {most} texts", required=False)
        if v is not None and (c.types[h + key].itype != STR or len(v) > most
                              or not all(isinstance(s, str) and 0 < len(s) <= 1000 for s in v)):
            c.add(h + key, v, f"must be an array of at most {most} non-empty texts of at most 1,000 characters")
    c.want_str(h + "newline", max_len=100)
    banned = c.typed(h + "banned_token_ids", (ARR,), "an array of token ids", required=False)
    if banned is not None:
        itype = c.types[h + "banned_token_ids"].itype
        if itype not in _INTS or not isinstance(banned, list):
            c.add(h + "banned_token_ids", banned, "must be an array of integer token ids")
        elif n is not None and any(not 0 <= b < n for b in banned):
            c.add(h + "banned_token_ids", banned, f"every id must be from 0 to {n - 1}")
        elif n is not None and len(set(banned)) >= n:
            c.add(h + "banned_token_ids", banned, "bans every token, so no reply could ever be written")
    limit = c.want_int(h + "context_limit", 0, MAX_CONTEXT, what=f"0 (none) or at least {MIN_CONTEXT}")
    if limit and limit < MIN_CONTEXT:
        c.add(h + "context_limit", limit, f"must be 0 (none) or at least {MIN_CONTEXT} tokens")
    budget = c.want_int(h + "reply_budget", 0, MAX_CONTEXT)
    if budget and limit and budget >= limit:
        c.add(h + "reply_budget", budget, f"must be smaller than hanashi.context_limit ({limit})")
    runtime = c.want_str(h + "tokenizer.runtime", choices=("llama.cpp", "sentencepiece", ""))
    sp = c.typed(h + "tokenizer.sp_model", (ARR,), "the bytes of a sentencepiece model", required=False)
    if sp is not None:
        if not isinstance(sp, bytes):
            c.add(h + "tokenizer.sp_model", sp, f"has type {c.types[h + 'tokenizer.sp_model']}; must be bytes")
        else:
            _check_sp_model(c, sp, n)
    elif runtime == "sentencepiece":
        c.add(h + "tokenizer.runtime", runtime, "names the embedded sentencepiece model, but the file has none")
    for name, (kind, lo, hi, lo_ok) in SAMPLING_RANGES.items():  # the same values as separate keys
        key = f"{h}sampling.{name}"
        if key in c.kv:
            v = c.typed(key, _INTS if kind is int else (F32, F64), "a number", False)
            if v is not None and (not math.isfinite(v) or v > hi or v < lo or (v == lo and not lo_ok)):
                c.add(key, v, f"must be {'from' if lo_ok else 'above'} {lo:g} up to {hi:g}")
    for key in [k for k in c.kv if k.startswith(h + "parity.")]:
        want = (BOOL,) if key.endswith(".exact") else _INTS if key.endswith((".matched", ".total")) else (STR,)
        c.typed(key, want, "a " + ("true/false" if want == (BOOL,) else "number" if want == _INTS else "text"), False)


def check_sampling(c: Checker, text: str) -> None:
    key = "hanashi.sampling"
    try:
        card = json.loads(text)
    except (ValueError, RecursionError):
        c.add(key, text, "must be a JSON object of sampling settings")
        return
    if not isinstance(card, dict):
        c.add(key, text, "must be a JSON object of sampling settings")
        return
    for name, (kind, lo, hi, lo_ok) in SAMPLING_RANGES.items():
        if name not in card:
            continue
        v = card[name]
        is_num = isinstance(v, (int, float)) and not isinstance(v, bool)
        if kind is int and not (isinstance(v, int) and not isinstance(v, bool)):
            is_num = False
        if not is_num or not math.isfinite(v) or v > hi or v < lo or (v == lo and not lo_ok):
            low = f"{'from' if lo_ok else 'above'} {lo:g}"
            c.add(f"{key}.{name}", v, f"must be {'an integer' if kind is int else 'a finite number'} {low} up to {hi:g}")


def _check_sp_model(c: Checker, data: bytes, n_tokens: int | None) -> None:
    key = "hanashi.tokenizer.sp_model"
    try:
        import sentencepiece as spm

        sp = spm.SentencePieceProcessor(model_proto=data)
        size = sp.get_piece_size()
    except Exception as e:  # sentencepiece reports a bad model as RuntimeError, OSError or TypeError
        c.add(key, data, f"is not a sentencepiece model sentencepiece can load ({str(e)[:120] or type(e).__name__})")
        return
    if size < 1 or (n_tokens is not None and size > n_tokens):
        c.add(key, data, f"has {size} pieces, more than the file's {n_tokens} tokens")


# --------------------------------------------------------------------------- entry points


def problems_of(header: Header) -> list[Problem]:
    c = Checker(header)
    arch = c.want_str("general.architecture", required=True, max_len=100)
    c.want_int("general.file_type", 0, 1 << 16)
    c.want_str("general.name", max_len=1000)
    if not arch:
        return c.problems
    if arch not in LLAMA_ARCHITECTURES:
        c.add("general.architecture", arch, "is not an architecture this build of llama.cpp can run",
              "convert a supported model (GPT-NeoX or GPT-2 families) with hanashi-quantize, or update Hanashi")
        return c.problems
    hp = check_hparams(c, arch)
    tokens = check_tokenizer(c, hp)
    check_tensors(c, hp, len(tokens) if tokens else None)
    check_hanashi(c, tokens)
    return c.problems


def find_problems(path: str | Path) -> list[Problem]:
    """Every unusable value in the file (GGUFFileError when the file cannot be read at all)."""
    return problems_of(read_typed_header(Path(path), vocab=True))


def checked_info(path: str | Path, first: Callable[[GGUFInfo], None] | None = None) -> GGUFInfo:
    """The file's GGUFInfo once every value has passed; InvalidGGUFError (a GGUFFileError) otherwise.

    ``first(info)`` runs on the header's facts before the values are checked (the engine refuses
    a file without an architecture, or with one llama.cpp lacks, before listing its values).
    """
    path = Path(path)
    header = read_typed_header(path, vocab=True)
    info = info_from_header(path, header)  # raises when the file is truncated
    if first is not None:
        first(info)
    problems = problems_of(header)
    if problems:
        raise InvalidGGUFError(problems, path)
    return info
