"""A byte-level multi-head model (byGPT) as an Engine: llama.cpp runs the backbone, NumPy the rest.

The GGUF holds a Llama backbone that llama.cpp loads as usual, plus the model's own parts under
``hanashi.bygpt.*`` (``quantize.bygpt.gguf_extra``): the byte embeddings, the merge module and the
heads, with the byte encoding and its special sequences in the metadata. ``ByteEngine`` is an
``Engine`` in completion mode: ``hanashi chat`` and the app drive it like any base model.

Counts are in positions: the context, ``max_new_tokens`` and the token counts the chat shows all
count positions (each holds ``bytes_per_position`` bytes, one character in the model's encoding).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from app.formats.card_formats import ConcatFormat
from quantize.bygpt import layout
from quantize.gguf_info import GGUFInfo, read_typed_header

from . import loader
from .bygpt_generate import generate_positions, pack, unpack
from .bygpt_model import FIX, ByteHeads
from .bygpt_runtime import EmbeddingRuntime
from .bygpt_text import ByteCodec
from .engine import Backend, Engine
from .errors import EngineBusyError, InvalidModelError
from .generate import Generation, TextCallback
from .sampling import SamplingParams

FAMILY = "bygpt"
PREFIX = "hanashi.bygpt."


def is_bygpt(info: GGUFInfo) -> bool:
    return info.family == FAMILY


@dataclass(frozen=True)
class ByteFacts:
    """What the GGUF's metadata says about the byte model (``hanashi.bygpt.*``)."""

    per_position: int
    n_heads: int
    encoding: str
    bos: bytes
    eos: bytes
    stop: bytes
    vocab: int | None = None  # hanashi.bygpt.vocab_size: the byte embedding's rows, when recorded
    width: int | None = None  # hanashi.bygpt.byte_embedding_size: its width, when recorded

    @classmethod
    def read(cls, path: Path) -> "ByteFacts":
        kv = read_typed_header(path).kv
        problems = []

        def get(name, kind, default=None):
            v = kv.get(PREFIX + name, default)
            if kind is int and (type(v) is not int or not 1 <= v <= 64):
                problems.append(f"{PREFIX}{name} is {v!r}, expected a small positive integer")
                return 1
            if kind is str and not isinstance(v, str):
                problems.append(f"{PREFIX}{name} is {v!r}, expected a string")
                return ""
            if kind is bytes:
                if isinstance(v, (bytes, bytearray)):
                    return bytes(v)
                if isinstance(v, list) and all(type(x) is int and 0 <= x < 256 for x in v):
                    return bytes(v)
                problems.append(f"{PREFIX}{name} is {v!r}, expected an array of bytes")
                return b""
            return v

        def size(name):  # optional; when present, a whole number the tensors must agree with
            v = kv.get(PREFIX + name)
            if v is not None and (type(v) is not int or not 1 <= v < 2**31):
                problems.append(f"{PREFIX}{name} is {v!r}, expected a positive whole number")
                return None
            return v

        version = kv.get(PREFIX + "layout_version", layout.LAYOUT_VERSION)
        if version != layout.LAYOUT_VERSION:
            raise InvalidModelError(f"the byte-level model's layout version ({PREFIX}layout_version) is "
                                    f"{version!r}; this Hanashi "
                                    f"reads version {layout.LAYOUT_VERSION}", path,
                                    "update Hanashi, or convert the model with this version of hanashi-quantize")
        facts = cls(get("bytes_per_position", int), get("n_heads", int), get("encoding", str),
                    get("bos", bytes), get("eos", bytes), get("stop", bytes, b""),
                    size("vocab_size"), size("byte_embedding_size"))
        group = len(layout.RADICES)  # every character of the encoding is one group of this many bytes
        if facts.encoding == layout.ENCODING and facts.per_position != group:
            problems.append(f"{PREFIX}bytes_per_position is {facts.per_position}, but the encoding "
                            f"{facts.encoding} writes every character as {group} bytes")
        for name in ("bos", "eos", "stop"):
            value = getattr(facts, name)
            if value and len(value) % facts.per_position:
                problems.append(f"{PREFIX}{name} has {len(value)} bytes, not a whole number of "
                                f"{facts.per_position}-byte positions")
        if not facts.bos:
            problems.append(f"{PREFIX}bos is empty: the model's prompts start with it")
        if facts.n_heads != facts.per_position:
            problems.append(f"{PREFIX}n_heads {facts.n_heads} differs from bytes_per_position "
                            f"{facts.per_position}: each head writes one byte of the next position")
        if problems:
            raise InvalidModelError("the byte-level model's metadata is unusable: " + "; ".join(problems), path, FIX)
        return facts

    def keys(self, data: bytes) -> list[int]:
        w = self.per_position
        return [pack(data[i:i + w]) for i in range(0, len(data), w)]


class PositionTokenizer:
    """Text ↔ position keys for the engine's prompt counting: bos + the text's encoding."""

    def __init__(self, codec: ByteCodec, facts: ByteFacts):
        self.codec, self.facts = codec, facts

    def encode(self, text: str) -> list[int]:
        return self.facts.keys(self.facts.bos + self.codec.encode(text))

    def count(self, text: str) -> int:
        return len(self.encode(text))

    def piece(self, key: int) -> bytes:
        return unpack(key, self.facts.per_position)


class ByteEngine(Engine):
    """A loaded byte-level model. Build it with ``Engine.load`` (which calls ``open``)."""

    @classmethod
    def open(cls, info: GGUFInfo, n_ctx: int, ctx_note: str, gpu_layers: int, gpus: Sequence,
             threads: int) -> "ByteEngine":
        facts = ByteFacts.read(info.path)
        codec = ByteCodec(facts.encoding, info.path)
        # An f32 file is for exact results: its cache is f32 too (twice the KV memory of f16).
        exact = partial(EmbeddingRuntime, exact=info.file_type == "f32")
        runtime = loader.open_runtime(info, n_ctx, threads, gpu_layers, runtime_class=exact)
        try:
            heads = ByteHeads(read_tensors(info.path), runtime.n_embd, facts.per_position, facts.n_heads,
                              info.path, vocab=facts.vocab, width=facts.width)
        except BaseException:
            runtime.close()
            raise
        gpu = gpus[0] if gpus and gpu_layers > 0 else None
        backend = Backend(gpu.name if gpu else "CPU", gpu.description if gpu else "", gpu_layers if gpu else 0,
                          runtime.n_layer, threads)
        return cls(info, runtime, heads, codec, facts, backend, [ctx_note])

    def __init__(self, info: GGUFInfo, runtime: EmbeddingRuntime, heads: ByteHeads, codec: ByteCodec,
                 facts: ByteFacts, backend: Backend, notes: Sequence[str] = ()):
        super().__init__(info, runtime, PositionTokenizer(codec, facts), ConcatFormat(FAMILY), "", backend, notes)
        self.heads, self.codec, self.facts = heads, codec, facts
        self.ends = [facts.keys(s) for s in (facts.eos, facts.stop) if s]
        # The runtime stops on the encoded "\n" itself; a second stop on the text would be redundant.
        self.stop_strings = ()
        # The file's max_new_tokens is the card's, counted in bytes (its tokens); the engine counts positions.
        per = facts.per_position
        self.defaults = self.defaults.override(max_new_tokens=max(1, -(-self.defaults.max_new_tokens // per)))

    def generate(self, prompt: str | Sequence[int], params: SamplingParams | None = None,
                 on_text: TextCallback | None = None, cancel=None, reuse_text: bool = True) -> Generation:
        """Continue ``prompt`` (text: bos is prepended; or position keys from ``encode``)."""
        keys = self.encode(prompt) if isinstance(prompt, str) else list(prompt)
        if not self.runtime.lock.acquire(blocking=False):
            raise EngineBusyError("the model is already generating a reply", self.path,
                                  "wait for the reply to finish or stop it first")
        try:
            return generate_positions(self.runtime, self.heads, self.codec.stream, keys, params or self.defaults,
                                      self.ends, on_text, cancel)
        finally:
            self.runtime.lock.release()


def read_tensors(path: Path) -> dict:
    """The ``hanashi.bygpt.*`` tensors, as NumPy arrays by their short names."""
    from quantize.bygpt.gguf_extra import read_extra
    from quantize.errors import ExplainedError

    try:
        return read_extra(path)
    except ExplainedError as e:
        raise InvalidModelError(f"the byte-level model's own tensors cannot be read ({e.message})", path,
                                e.fix or FIX) from None
    except (ValueError, KeyError, TypeError, OSError) as e:
        raise InvalidModelError(f"the byte-level model's own tensors cannot be read ({e})", path, FIX) from None
