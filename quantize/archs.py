"""Architectures Hanashi converts: GPT-NeoX (rinna) and GPT-2 (dolly), mapped onto llama.cpp's.

Each architecture reads its hyperparameters from config.json, checks every tensor's presence and
shape against them before anything is written, and yields a plan: one entry per GGUF tensor with a
function that produces its data from the memory-mapped checkpoint when the writer gets to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import gguf
import numpy as np

from .checkpoint import Checkpoint
from .config_values import MAX_LAYERS, MAX_POSITIONS, MAX_VOCAB, ConfigValues
from .errors import ConversionError
from .safetensors_file import FLOAT_DTYPES

GELU_ACTS = ("gelu", "gelu_new", "gelu_fast", "gelu_pytorch_tanh")


@dataclass
class Planned:
    name: str  # GGUF tensor name
    shape: tuple[int, ...]  # numpy order (rows, cols)
    produce: Callable[[], np.ndarray]  # returns the data in the checkpoint's own dtype
    source: str  # checkpoint tensor it comes from (for messages)

    @property
    def is_matrix(self) -> bool:
        return len(self.shape) == 2


class _Arch:
    gguf_arch = ""

    def __init__(self, ckpt: Checkpoint):
        self.ckpt = ckpt
        self.cfg = ckpt.config
        self.values = ConfigValues(ckpt.config, ckpt.dir / "config.json")
        self.plan: list[Planned] = []

    def _check_heads(self, embd_key: str, head_key: str) -> None:
        if self.n_embd % self.n_head:
            raise self.values.fail(head_key, self.n_head, f"must divide {embd_key} {self.n_embd} into whole heads")
        self.head_dim = self.n_embd // self.n_head

    def _vocab_rows(self, emb: str) -> int:
        rows = self.ckpt.shape(emb)
        if len(rows) != 2 or not 1 <= rows[0] <= MAX_VOCAB:
            raise ConversionError(f"tensor {emb!r} has shape {list(rows)}: the vocabulary must have 1 to "
                                  f"{MAX_VOCAB:,} rows", self.ckpt.entries[emb].path,
                                  "the weights are damaged or not a language model: download them again")
        return rows[0]

    def check_unused(self, layer_patterns: tuple[str, ...]) -> None:
        """Refuse tensors of layers beyond num_hidden_layers instead of silently dropping them."""
        import re

        used = {p.source for p in self.plan}
        extra = []
        for name in self.ckpt.entries:
            for pattern in layer_patterns:
                m = re.match(pattern, name)
                if m and int(m.group(1)) >= self.n_layer and name not in used:
                    extra.append(name)
        if extra:
            raise ConversionError(
                f"config.json says {self.n_layer} layers but the checkpoint has tensors of more: "
                f"{', '.join(sorted(extra)[:4])}{' …' if len(extra) > 4 else ''} ({len(extra)} unexpected)",
                self.ckpt.dir / "config.json",
                "config.json and the weights come from different models: download both from one repository")

    def _tensor(self, name: str, shape: tuple[int, ...]) -> str:
        if not self.ckpt.has(name):
            raise ConversionError(f"tensor {name!r} is missing from the checkpoint", self.ckpt.dir,
                                  "download every *.safetensors shard of the model")
        dtype = self.ckpt.dtype(name)
        if dtype not in FLOAT_DTYPES:
            raise ConversionError(
                f"tensor {name!r} has dtype {dtype}: weights must be floating point "
                f"({', '.join(FLOAT_DTYPES)})", self.ckpt.entries[name].path,
                "the weights are damaged or were saved wrongly: download them again, or save the model "
                "in float32, float16 or bfloat16")
        got = self.ckpt.shape(name)
        if tuple(got) != tuple(shape):
            raise ConversionError(
                f"tensor {name!r} has shape {list(got)} but config.json implies {list(shape)}",
                self.ckpt.entries[name].path,
                "config.json and the weights come from different models: download both from one repository")
        return name

    def add(self, gguf_name: str, hf_name: str, shape, transform=None, transposed=False) -> None:
        self._tensor(hf_name, shape)
        ckpt = self.ckpt

        def produce(hf_name=hf_name, transform=transform):
            a = ckpt.raw(hf_name)
            return transform(a) if transform else a

        out_shape = tuple(reversed(shape)) if transposed else tuple(shape)
        self.plan.append(Planned(gguf_name, out_shape, produce, hf_name))

    def write_hparams(self, w: gguf.GGUFWriter) -> None:
        """The hyperparameters both architectures share; subclasses add their own."""
        w.add_context_length(self.n_ctx)
        w.add_embedding_length(self.n_embd)
        w.add_block_count(self.n_layer)
        w.add_feed_forward_length(self.n_ff)
        w.add_head_count(self.n_head)
        w.add_layer_norm_eps(self.eps)

    @property
    def n_params(self) -> int:
        return sum(int(np.prod(p.shape)) for p in self.plan)


class GPTNeoX(_Arch):
    gguf_arch = "gptneox"

    def __init__(self, ckpt: Checkpoint):
        super().__init__(ckpt)
        v = self.values
        self.n_embd = v.int("hidden_size")
        self.n_head = v.int("num_attention_heads")
        self.n_layer = v.int("num_hidden_layers", hi=MAX_LAYERS)
        self.n_ff = v.int("intermediate_size", hi=1 << 24)
        self.n_ctx = v.int("max_position_embeddings", hi=MAX_POSITIONS)
        self._check_heads("hidden_size", "num_attention_heads")
        rope = v.dict("rope_parameters") or v.dict("rope_scaling")
        if rope.get("rope_type") not in (None, "default"):
            raise ConversionError(f"rope scaling {_short(rope.get('rope_type'))} is not supported",
                                  ckpt.dir / "config.json", "use a checkpoint without rope scaling")
        rv = ConfigValues(rope, ckpt.dir / "config.json")
        self.rotary_pct = rv.float("partial_rotary_factor", lo=0.0, hi=1.0, default=0.0) or \
            v.float("rotary_pct", "partial_rotary_factor", lo=0.0, hi=1.0, default=1.0)
        self.rope_base = rv.float("rope_theta", lo=0.0, hi=1e12, default=0.0) or \
            v.float("rotary_emb_base", "rope_theta", lo=0.0, hi=1e12, default=10000.0)
        self.n_rot = int(self.head_dim * self.rotary_pct)
        if self.n_rot < 2 or self.n_rot % 2:
            raise v.fail("rotary_pct", self.rotary_pct,
                         f"the rotary dimension head_dim {self.head_dim} × rotary_pct = {self.n_rot} must be even "
                         "and at least 2")
        self.parallel = v.bool("use_parallel_residual", default=True)
        self.eps = v.float("layer_norm_eps", lo=0.0, hi=1.0, default=1e-5)
        self.tied = v.bool("tie_word_embeddings", default=False)
        self.act = v.str("hidden_act", default="gelu")
        if self.act not in GELU_ACTS:
            raise ConversionError(f"activation {self.act!r} is not supported (GELU only)", ckpt.dir / "config.json")
        emb = "gpt_neox.embed_in.weight"
        if not ckpt.has(emb):
            self._tensor(emb, ())
        self.n_vocab = self._vocab_rows(emb)
        self._plan()
        self.check_unused((r"^gpt_neox\.layers\.(\d+)\.",))

    def _qkv(self, a: np.ndarray) -> np.ndarray:
        # HF stores per head [q_h, k_h, v_h]; llama.cpp wants [Q (all heads); K; V].
        h, d = self.n_head, self.head_dim
        if a.ndim == 2:
            return a.reshape(h, 3, d, a.shape[-1]).transpose(1, 0, 2, 3).reshape(3 * h * d, a.shape[-1])
        return a.reshape(h, 3, d).transpose(1, 0, 2).reshape(3 * h * d)

    def _plan(self) -> None:
        E, F, V = self.n_embd, self.n_ff, self.n_vocab
        self.add("token_embd.weight", "gpt_neox.embed_in.weight", (V, E))
        for i in range(self.n_layer):
            p, b = f"gpt_neox.layers.{i}.", f"blk.{i}."
            for kind, hf in (("attn_norm", "input_layernorm"), ("ffn_norm", "post_attention_layernorm")):
                self.add(f"{b}{kind}.weight", f"{p}{hf}.weight", (E,))
                self.add(f"{b}{kind}.bias", f"{p}{hf}.bias", (E,))
            self.add(f"{b}attn_qkv.weight", f"{p}attention.query_key_value.weight", (3 * E, E), self._qkv)
            self.add(f"{b}attn_qkv.bias", f"{p}attention.query_key_value.bias", (3 * E,), self._qkv)
            self.add(f"{b}attn_output.weight", f"{p}attention.dense.weight", (E, E))
            self.add(f"{b}attn_output.bias", f"{p}attention.dense.bias", (E,))
            self.add(f"{b}ffn_up.weight", f"{p}mlp.dense_h_to_4h.weight", (F, E))
            self.add(f"{b}ffn_up.bias", f"{p}mlp.dense_h_to_4h.bias", (F,))
            self.add(f"{b}ffn_down.weight", f"{p}mlp.dense_4h_to_h.weight", (E, F))
            self.add(f"{b}ffn_down.bias", f"{p}mlp.dense_4h_to_h.bias", (E,))
        self.add("output_norm.weight", "gpt_neox.final_layer_norm.weight", (E,))
        self.add("output_norm.bias", "gpt_neox.final_layer_norm.bias", (E,))
        # llama.cpp's gptneox always reads an output matrix; a tied model gets a copy of the embedding.
        out = "embed_out.weight"
        if self.ckpt.has(out) or not self.tied:
            self.add("output.weight", out, (V, E))
        else:
            self.add("output.weight", "gpt_neox.embed_in.weight", (V, E))

    def write_hparams(self, w: gguf.GGUFWriter) -> None:
        super().write_hparams(w)
        w.add_rope_dimension_count(self.n_rot)
        w.add_rope_freq_base(self.rope_base)
        w.add_parallel_residual(self.parallel)


class GPT2(_Arch):
    gguf_arch = "gpt2"

    def __init__(self, ckpt: Checkpoint):
        super().__init__(ckpt)
        v = self.values
        self.n_embd = v.int("n_embd", "hidden_size")
        self.n_head = v.int("n_head", "num_attention_heads")
        self.n_layer = v.int("n_layer", "num_hidden_layers", hi=MAX_LAYERS)
        self.n_ff = v.int("n_inner", hi=1 << 24, default=4 * self.n_embd)
        self.n_ctx = v.int("n_positions", "n_ctx", "max_position_embeddings", hi=MAX_POSITIONS)
        self._check_heads("n_embd", "n_head")
        self.eps = v.float("layer_norm_epsilon", lo=0.0, hi=1.0, default=1e-5)
        self.act = v.str("activation_function", default="gelu_new")
        if self.act not in GELU_ACTS:
            raise ConversionError(f"activation {self.act!r} is not supported (GELU only)", ckpt.dir / "config.json")
        for flag in ("scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn"):
            if v.bool(flag, default=False):
                raise ConversionError(f"GPT-2 option {flag} is not supported by llama.cpp",
                                      ckpt.dir / "config.json")
        self.tied = v.bool("tie_word_embeddings", default=True)
        self.prefix = "transformer." if ckpt.has("transformer.wte.weight") else ""
        emb = self.prefix + "wte.weight"
        if not ckpt.has(emb):
            self._tensor("transformer.wte.weight", ())
        self.n_vocab = self._vocab_rows(emb)
        self._plan()
        self.check_unused((r"^(?:transformer\.)?h\.(\d+)\.",))

    def _plan(self) -> None:
        E, F, V, P = self.n_embd, self.n_ff, self.n_vocab, self.prefix
        T = dict(transform=np.transpose, transposed=True)  # Conv1D is [in, out]; GGUF wants [out, in]
        self.add("token_embd.weight", f"{P}wte.weight", (V, E))
        self.add("position_embd.weight", f"{P}wpe.weight", (self.n_ctx, E))
        for i in range(self.n_layer):
            p, b = f"{P}h.{i}.", f"blk.{i}."
            for kind, hf in (("attn_norm", "ln_1"), ("ffn_norm", "ln_2")):
                self.add(f"{b}{kind}.weight", f"{p}{hf}.weight", (E,))
                self.add(f"{b}{kind}.bias", f"{p}{hf}.bias", (E,))
            self.add(f"{b}attn_qkv.weight", f"{p}attn.c_attn.weight", (E, 3 * E), **T)
            self.add(f"{b}attn_qkv.bias", f"{p}attn.c_attn.bias", (3 * E,))
            self.add(f"{b}attn_output.weight", f"{p}attn.c_proj.weight", (E, E), **T)
            self.add(f"{b}attn_output.bias", f"{p}attn.c_proj.bias", (E,))
            self.add(f"{b}ffn_up.weight", f"{p}mlp.c_fc.weight", (E, F), **T)
            self.add(f"{b}ffn_up.bias", f"{p}mlp.c_fc.bias", (F,))
            self.add(f"{b}ffn_down.weight", f"{p}mlp.c_proj.weight", (F, E), **T)
            self.add(f"{b}ffn_down.bias", f"{p}mlp.c_proj.bias", (E,))
        self.add("output_norm.weight", f"{P}ln_f.weight", (E,))
        self.add("output_norm.bias", f"{P}ln_f.bias", (E,))
        if self.ckpt.has("lm_head.weight") and not self.tied:
            self.add("output.weight", "lm_head.weight", (V, E))
        # Tied: llama.cpp's gpt2 reuses token_embd when output.weight is absent.


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


ARCHITECTURES = {"GPTNeoXForCausalLM": GPTNeoX, "GPT2LMHeadModel": GPT2}


def load_architecture(ckpt: Checkpoint) -> _Arch:
    from .bygpt.layout import recognise

    if recognise(ckpt.config):  # the byte-level multi-head model: its layout table decides
        from .bygpt.arch import ByGPT

        return ByGPT(ckpt)
    arch = ckpt.architecture
    cls = ARCHITECTURES.get(arch) if isinstance(arch, str) else None
    if cls is None:
        raise ConversionError(
            f"architecture {_short(arch)} is not supported; supported: {', '.join(ARCHITECTURES)}",
            ckpt.dir / "config.json",
            "Hanashi converts the rinna GPT-NeoX and inu-ai GPT-2 models; for other models use a GGUF "
            "made by their own tools and open it directly",
            code="convert.architecture", params={"architecture": _short(arch)})
    return cls(ckpt)
