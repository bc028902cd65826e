"""The byte-level multi-head model as a conversion plan, following ``layout`` and nothing else.

Every checkpoint tensor is matched against the layout table before anything is written. Where the
checkpoint differs — a tensor missing, of another shape or dtype, or one the table does not know —
one ConversionError lists every difference (name, shape) and every tensor the table expected.
"""

from __future__ import annotations

import re

import gguf
import numpy as np

from ..archs import Planned, _Arch
from ..checkpoint import Checkpoint
from ..config_values import MAX_LAYERS, MAX_POSITIONS, MAX_VOCAB
from ..errors import ConversionError
from ..safetensors_file import FLOAT_DTYPES
from . import byte_vocab, layout

_RAW_ZERO = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16, "F64": np.float64}
_SHOWN = 12  # rows of each list in the mismatch message


def _permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """HF's rotate-half query/key rows → llama.cpp's interleaved rotary pairs (per head)."""
    rows = w.shape[0]
    return w.reshape(n_head, 2, rows // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


class ByGPT(_Arch):
    gguf_arch = layout.GGUF_ARCH

    def __init__(self, ckpt: Checkpoint):
        super().__init__(ckpt)
        self._read_config()
        self.extras: list[Planned] = []
        self._match()

    # ------------------------------------------------------------------ config
    def _get(self, role: str, kind: str = "int", **bounds):
        keys, default = layout.CONFIG_KEYS[role]
        if not isinstance(default, (int, float)) or isinstance(default, bool):
            default = None
        if kind == "float":
            return self.values.float(*keys, default=default, **bounds)
        return self.values.int(*keys, default=default, **bounds)

    def _read_config(self) -> None:
        v = self.values
        self.n_embd = self._get("hidden")
        self.n_layer = self._get("layers", hi=MAX_LAYERS)
        self.n_head = self._get("heads")
        keys, _ = layout.CONFIG_KEYS["kv_heads"]
        self.n_head_kv = v.int(*keys, default=self.n_head)
        if self.n_head % self.n_head_kv:
            raise v.fail(keys[0], self.n_head_kv, f"must divide num_attention_heads {self.n_head}")
        keys, _ = layout.CONFIG_KEYS["head_dim"]
        if self.n_embd % self.n_head and v.cfg.get(keys[0]) is None:
            raise v.fail("num_attention_heads", self.n_head, f"must divide hidden_size {self.n_embd}")
        self.head_dim = v.int(*keys, default=self.n_embd // self.n_head)
        if self.head_dim % 2:
            raise v.fail(keys[0], self.head_dim, "must be even (rotary pairs)")
        self.n_ff = self._get("ffn", hi=1 << 24)
        self.n_ctx = self._get("max_positions", hi=MAX_POSITIONS)
        self.eps = self._get("rms_eps", "float", lo=0.0, hi=1.0)
        rope = v.dict("rope_parameters") or v.dict("rope_scaling")
        if rope.get("rope_type", rope.get("type")) not in (None, "default"):
            raise ConversionError(f"rope scaling {str(rope.get('rope_type', rope.get('type')))[:40]!r} is not "
                                  "supported", self.ckpt.dir / "config.json", "use a checkpoint without rope scaling")
        theta = rope.get("rope_theta")
        self.rope_base = float(theta) if isinstance(theta, (int, float)) and not isinstance(theta, bool) \
            and theta > 0 else self._get("rope_theta", "float", lo=0.0, hi=1e12)
        self.act = v.str("hidden_act", default="silu")
        if self.act != "silu":
            raise ConversionError(f"activation {self.act!r} is not supported (Llama uses silu)",
                                  self.ckpt.dir / "config.json")
        self.bytes_per_position = self._get("bytes_per_position", hi=16)
        self.n_lm_heads = self._get("n_lm_heads", hi=16)
        if self.n_lm_heads != self.bytes_per_position:
            raise v.fail(layout.CONFIG_KEYS["n_lm_heads"][0][0], self.n_lm_heads,
                         f"must equal the bytes per position ({self.bytes_per_position}): one head per byte")
        if self.bytes_per_position != len(layout.RADICES):
            raise v.fail(layout.CONFIG_KEYS["bytes_per_position"][0][0], self.bytes_per_position,
                         f"the byte encoding of the layout table ({layout.ENCODING}) has "
                         f"{len(layout.RADICES)} bytes per character")
        keys, _ = layout.CONFIG_KEYS["vocab"]
        self.n_vocab = v.int(*keys, default=0, hi=MAX_VOCAB) or None
        if self.n_vocab is not None and self.n_vocab < 256:
            raise v.fail(keys[0], self.n_vocab, "a byte vocabulary has at least 256 entries, one per byte value")
        keys, _ = layout.CONFIG_KEYS["byte_embd"]
        self.byte_embd = v.int(*keys, default=0) or None

    # ------------------------------------------------------------------ matching
    def _find(self, row: layout.TensorRow, i=None, j=None) -> str | None:
        for pattern in (row.pattern, *row.aliases):
            name = layout.expand(pattern, i, j)
            if self.ckpt.has(name):
                return name
        return None

    def _rows(self):
        """(row, i, j) for every tensor the table expects for this config."""
        for row in layout.BACKBONE + layout.EXTRAS:
            layers = range(self.n_layer) if "{i}" in row.pattern else [None]
            heads = range(self.n_lm_heads) if "{j}" in row.pattern else [None]
            for i in layers:
                for j in heads:
                    yield row, i, j

    def _symbols(self) -> dict[str, int]:
        embd_row = layout.EXTRAS[0]
        found = self._find(embd_row)
        shape = tuple(self.ckpt.shape(found)) if found else ()
        if self.n_vocab is None:
            self.n_vocab = max(shape[0], 256) if len(shape) == 2 else 256  # fewer rows: a shape mismatch below
        if self.byte_embd is None:
            self.byte_embd = shape[1] if len(shape) == 2 and shape[1] > 0 else self.n_embd // self.bytes_per_position
        return {"H": self.n_embd, "F": self.n_ff, "Q": self.n_head * self.head_dim,
                "K": self.n_head_kv * self.head_dim, "V": self.n_vocab, "E": self.byte_embd,
                "P": self.bytes_per_position}

    def _match(self) -> None:
        sym = self._symbols()
        missing, wrong, claimed = [], [], set()
        expected_lines = [self._expected(row, sym) for row in layout.BACKBONE + layout.EXTRAS]
        for row, i, j in self._rows():
            want = layout.dims(row.shape, sym)
            names = [layout.expand(p, i, j) for p in (row.pattern, *row.aliases)]
            found = self._find(row, i, j)
            if found is None:
                if not row.optional:
                    missing.append(f"{names[0]} {list(want)}")
                continue
            claimed.add(found)
            got, dtype = tuple(self.ckpt.shape(found)), self.ckpt.dtype(found)
            if got != want:
                wrong.append(f"{found} has shape {list(got)}, expected {list(want)} ({row.role})")
            elif dtype not in FLOAT_DTYPES:
                wrong.append(f"{found} has dtype {dtype}, expected floating point ({', '.join(FLOAT_DTYPES)})")
            else:
                self._plan_row(row, found, want, i, j)
        unknown = [f"{n} {list(self.ckpt.shape(n))}" for n in self.ckpt.entries
                   if n not in claimed and not n.endswith(layout.IGNORED_SUFFIXES)]
        if missing or wrong or unknown:
            raise self._mismatch(missing, wrong, sorted(unknown), expected_lines)
        self._plan_synthetic()

    def _expected(self, row: layout.TensorRow, sym: dict) -> str:
        ranges = []
        if "{i}" in row.pattern:
            ranges.append(f"i = 0…{self.n_layer - 1}")
        if "{j}" in row.pattern:
            ranges.append(f"j = 0…{self.n_lm_heads - 1}")
        extra = [", ".join(ranges)] if ranges else []
        if row.optional:
            extra.append("optional")
        if row.aliases:
            extra.append("or " + ", ".join(row.aliases))
        return f"{row.pattern} {list(layout.dims(row.shape, sym))}" + (f" ({'; '.join(extra)})" if extra else "")

    def _mismatch(self, missing, wrong, unknown, expected) -> ConversionError:
        def listed(title, items, limit=_SHOWN):
            if not items:
                return []
            more = [f"    … and {len(items) - limit} more"] if len(items) > limit else []
            return [f"  {title} ({len(items)}):"] + [f"    {x}" for x in items[:limit]] + more

        n = len(missing) + len(wrong) + len(unknown)
        lines = [f"the checkpoint does not match Hanashi's layout table for the byte-level multi-head model "
                 f"(quantize/bygpt/layout.py): {n} tensor{'s' if n != 1 else ''} differ"]
        lines += listed("missing", missing) + listed("wrong shape or dtype", wrong)
        lines += listed("not in the layout table", unknown)
        lines += listed("the table expected", expected, limit=len(expected))
        return ConversionError(
            "\n".join(lines), self.ckpt.dir,
            "if the folder is incomplete or mixed from two models, download it again; if it is the real "
            "checkpoint, its layout differs from Hanashi's assumption: edit the tensor rows of "
            "quantize/bygpt/layout.py to match it")

    # ------------------------------------------------------------------ plan
    def _plan_row(self, row: layout.TensorRow, found: str, shape: tuple, i, j) -> None:
        gguf_name = layout.expand(row.gguf, i, j)
        if row in layout.EXTRAS:
            ckpt = self.ckpt
            self.extras.append(Planned(gguf_name, shape, lambda n=found: ckpt.raw(n), found))
            return
        transform = None
        if row.transform == "q":
            transform = lambda a: _permute(a, self.n_head)  # noqa: E731
        elif row.transform == "k":
            transform = lambda a: _permute(a, self.n_head_kv)  # noqa: E731
        self.add(gguf_name, found, shape, transform)

    def _plan_synthetic(self) -> None:
        """token_embd: zeros, one row per token of the byte vocabulary llama.cpp needs to load."""
        source = self.extras[0].source  # the byte embedding: its dtype is the zeros' dtype
        dtype = _RAW_ZERO.get(self.ckpt.dtype(source), np.float32)
        shape = (byte_vocab.N_VOCAB, self.n_embd)
        self.plan.insert(0, Planned("token_embd.weight", shape, lambda: np.zeros(shape, dtype), source))
        order = {p.name: k for k, p in enumerate(self.plan)}
        self.plan.sort(key=lambda p: (_block(p.name), order[p.name]))

    def write_hparams(self, w: gguf.GGUFWriter) -> None:
        w.add_context_length(self.n_ctx)
        w.add_embedding_length(self.n_embd)
        w.add_block_count(self.n_layer)
        w.add_feed_forward_length(self.n_ff)
        w.add_head_count(self.n_head)
        w.add_head_count_kv(self.n_head_kv)
        w.add_layer_norm_rms_eps(self.eps)
        w.add_rope_dimension_count(self.head_dim)
        w.add_rope_freq_base(self.rope_base)
        w.add_vocab_size(byte_vocab.N_VOCAB)
        if self.head_dim * self.n_head != self.n_embd:
            w.add_key_length(self.head_dim)
            w.add_value_length(self.head_dim)

    @property
    def n_extra_params(self) -> int:
        return sum(int(np.prod(p.shape)) for p in self.extras)


def _block(name: str) -> int:
    m = re.match(r"blk\.(\d+)\.", name)
    return int(m.group(1)) if m else (-1 if name == "token_embd.weight" else 1 << 30)
