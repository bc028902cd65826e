"""THE layout table of the byte-level multi-head model (tohoku-nlp/bygpt-jp-multi-lm-head-*).

Every assumption Hanashi makes about this model lives here, as data the converter, the byte
encoder and the runtime follow. Its modeling code is not public; what its model card states is
marked KNOWN, everything else ASSUMED. When a real checkpoint differs, the fix is an edit of this
file, not of the converter or the engine.

What the card states (KNOWN): a Llama backbone; a byte vocabulary; a module that merges the input
embeddings of every 4 bytes into one position; 4 LM heads that predict the next 4 bytes; a custom
Unicode encoding made for 4-byte prediction whose special tokens are several bytes (eos is a list
of ints); prompts are ``bos + text``; generation stops at the encoding of "\\n"; greedy decoding.

No torch, no llama.cpp, no model code: this module is plain data plus the functions that read it.
"""

from __future__ import annotations

from dataclasses import dataclass

LAYOUT_VERSION = 1
FAMILY = "bygpt"

# ----------------------------------------------------------------------------- recognition
# config.json names the model in `architectures`, `model_type` or `auto_map` (the remote-code class
# names). Any of these substrings (lower case) there means "this layout". The code itself is never
# imported or run. (ASSUMED: the exact names; the card only says it needs trust_remote_code.)
RECOGNISE_KEYS = ("architectures", "model_type", "auto_map")
RECOGNISE_SUBSTRINGS = ("bygpt", "multi_lm_head", "multilmhead", "multi-lm-head")

# ----------------------------------------------------------------------------- config keys
# role → config.json keys tried in order, and the default when none is present (None: required).
# ASSUMED: the backbone uses transformers' LlamaConfig names (the card says "Llama architecture").
CONFIG_KEYS: dict[str, tuple[tuple[str, ...], object]] = {
    "hidden": (("hidden_size", "n_embd"), None),
    "layers": (("num_hidden_layers", "n_layer"), None),
    "heads": (("num_attention_heads", "n_head"), None),
    "kv_heads": (("num_key_value_heads",), "heads"),  # default: same as heads (no GQA)
    "head_dim": (("head_dim",), "hidden/heads"),
    "ffn": (("intermediate_size",), None),
    "rms_eps": (("rms_norm_eps",), 1e-6),
    "rope_theta": (("rope_theta",), 10000.0),  # also read from rope_parameters / rope_scaling
    "max_positions": (("max_position_embeddings",), None),
    # ASSUMED: the byte vocabulary size is `vocab_size` (256 bytes; a larger value pads it).
    "vocab": (("vocab_size", "byte_vocab_size"), 256),
    # ASSUMED: the byte embedding width; absent → read from the byte embedding tensor's shape.
    "byte_embd": (("byte_embedding_size", "byte_hidden_size", "embedding_size"), "tensor"),
    # KNOWN: 4 bytes per position and 4 heads. ASSUMED: the key names.
    "bytes_per_position": (("bytes_per_position", "num_bytes_per_token", "merge_size", "patch_size"), 4),
    "n_lm_heads": (("num_lm_heads", "n_lm_heads", "num_heads_lm"), 4),
}

# ----------------------------------------------------------------------------- tensors
# One row per checkpoint tensor: the name pattern ({i}: layer, {j}: LM head), its shape in terms of
# the config values, the role, the GGUF name, whether it may be absent, and its transform:
#   "q" / "k": llama.cpp's rotary layout (HF's rotate-half halves → interleaved pairs), as
#              llama.cpp's own convert_hf_to_gguf does for every Llama checkpoint.
# Shapes are (rows, cols) as stored by PyTorch's nn.Linear (out, in).


@dataclass(frozen=True)
class TensorRow:
    pattern: str  # checkpoint name; {i} layer index, {j} LM head index
    shape: tuple[str, ...]  # symbolic: H hidden, F ffn, Q heads·head_dim, K kv_heads·head_dim, V vocab,
    #                         E byte embedding width, P bytes per position
    gguf: str  # GGUF tensor name ("hanashi.bygpt.…" extras are stored per gguf_extra)
    role: str
    optional: bool = False
    transform: str = ""  # "", "q", "k"
    aliases: tuple[str, ...] = ()  # other checkpoint names accepted for the same tensor


BACKBONE: tuple[TensorRow, ...] = (  # KNOWN: Llama. ASSUMED: transformers' LlamaModel names under `model.`
    TensorRow("model.layers.{i}.input_layernorm.weight", ("H",), "blk.{i}.attn_norm.weight", "attention norm"),
    TensorRow("model.layers.{i}.self_attn.q_proj.weight", ("Q", "H"), "blk.{i}.attn_q.weight", "query", transform="q"),
    TensorRow("model.layers.{i}.self_attn.k_proj.weight", ("K", "H"), "blk.{i}.attn_k.weight", "key", transform="k"),
    TensorRow("model.layers.{i}.self_attn.v_proj.weight", ("K", "H"), "blk.{i}.attn_v.weight", "value"),
    TensorRow("model.layers.{i}.self_attn.o_proj.weight", ("H", "Q"), "blk.{i}.attn_output.weight", "attention out"),
    TensorRow("model.layers.{i}.self_attn.q_proj.bias", ("Q",), "blk.{i}.attn_q.bias", "query bias", True, "q"),
    TensorRow("model.layers.{i}.self_attn.k_proj.bias", ("K",), "blk.{i}.attn_k.bias", "key bias", True, "k"),
    TensorRow("model.layers.{i}.self_attn.v_proj.bias", ("K",), "blk.{i}.attn_v.bias", "value bias", True),
    TensorRow("model.layers.{i}.self_attn.o_proj.bias", ("H",), "blk.{i}.attn_output.bias", "attention out bias", True),
    TensorRow("model.layers.{i}.post_attention_layernorm.weight", ("H",), "blk.{i}.ffn_norm.weight", "ffn norm"),
    TensorRow("model.layers.{i}.mlp.gate_proj.weight", ("F", "H"), "blk.{i}.ffn_gate.weight", "ffn gate"),
    TensorRow("model.layers.{i}.mlp.up_proj.weight", ("F", "H"), "blk.{i}.ffn_up.weight", "ffn up"),
    TensorRow("model.layers.{i}.mlp.down_proj.weight", ("H", "F"), "blk.{i}.ffn_down.weight", "ffn down"),
    TensorRow("model.norm.weight", ("H",), "output_norm.weight", "final norm"),
)

# ASSUMED wiring of the parts the card names but does not show:
#   byte embedding  E-wide rows, one per byte value (V rows);
#   merge           the P byte embeddings of a position concatenated in byte order → Linear(P·E → H),
#                   bias optional; its output is the position's input to the first Llama block;
#   LM head j       Linear(H → V) on the FINAL-NORM hidden state of position t, predicting byte j
#                   of position t+1 (j = 0 … P-1); bias optional.
# The extras' GGUF names drop the "hanashi.bygpt." prefix in gguf_extra's key names.
EXTRAS: tuple[TensorRow, ...] = (
    TensorRow("model.embed_tokens.weight", ("V", "E"), "embd", "byte embedding",
              aliases=("model.byte_embedding.weight", "embed_tokens.weight")),
    TensorRow("merge.weight", ("H", "P*E"), "merge.weight", "merge",
              aliases=("model.merge.weight", "embed_merge.weight", "model.embed_merge.weight")),
    TensorRow("merge.bias", ("H",), "merge.bias", "merge bias", optional=True,
              aliases=("model.merge.bias", "embed_merge.bias", "model.embed_merge.bias")),
    TensorRow("lm_heads.{j}.weight", ("V", "H"), "head.{j}.weight", "LM head",
              aliases=("lm_head.{j}.weight", "lm_heads.heads.{j}.weight")),
    TensorRow("lm_heads.{j}.bias", ("V",), "head.{j}.bias", "LM head bias", optional=True,
              aliases=("lm_head.{j}.bias",)),
)

# Checkpoint entries that are buffers, not weights: ignored wherever they appear.
IGNORED_SUFFIXES = (".rotary_emb.inv_freq", ".masked_bias", ".attn.bias")

# ----------------------------------------------------------------------------- byte encoding
# ASSUMED: the "utf8-like v2" padded encoding of a related public byte tokenizer. Every character
# becomes exactly one group of 4 bytes: its code point written in mixed radix RADICES (most
# significant digit first), digit k stored as OFFSETS[k] + digit. So byte k of a character lies in
# BYTE_RANGES[k], the last byte is never 0x00, and a small code point is left-padded with E0 C0 80
# (an ASCII character c is E0 C0 80 c+1).
ENCODING = "utf8-v2-pad4"
RADICES = (7, 24, 56, 127)  # 7·24·56·127 = 1,194,816 ≥ 0x110000 code points
OFFSETS = (0xE0, 0xC0, 0x80, 0x01)
BYTE_RANGES = ((0xE0, 0xFF), (0xC0, 0xDF), (0x80, 0xBF), (0x00, 0x7F))
# ASSUMED: special tokens are 4-byte groups outside every character's digit range, ending in 0x00
# (the card: "special tokens are several bytes; eos is a list of ints").
SPECIAL_TOKENS: dict[str, tuple[int, int, int, int]] = {
    "<pad>": (0xFF, 0xDF, 0xBF, 0x00),
    "<s>": (0xFF, 0xDF, 0xBE, 0x00),
    "</s>": (0xFF, 0xDF, 0xBD, 0x00),
    "<unk>": (0xFF, 0xDF, 0xBC, 0x00),
}
BOS, EOS, PAD = "<s>", "</s>", "<pad>"
PROMPT = "bos + text"  # KNOWN (card): input_texts = bos_token + text, add_special_tokens=False
STOP_TEXT = "\n"  # KNOWN (card): eos_token_id = [tokenizer.encode("\n")]
GREEDY = True  # KNOWN (card example): do_sample=False

# ----------------------------------------------------------------------------- GGUF
# The backbone is a plain llama GGUF; llama.cpp needs a vocabulary and token_embd to load one.
# Hanashi writes a 259-token byte vocabulary (<unk> <s> </s> <0x00>…<0xFF>, tokenizer model
# "llama") and token_embd = zeros: the runtime feeds merged embeddings (llama_batch.embd) and never
# uses llama.cpp's tokenizer, token embeddings or logits.
GGUF_ARCH = "llama"
EXTRA_PREFIX = "hanashi.bygpt."
META = {
    "layout_version": EXTRA_PREFIX + "layout_version",
    "bytes_per_position": EXTRA_PREFIX + "bytes_per_position",
    "n_heads": EXTRA_PREFIX + "n_heads",
    "vocab": EXTRA_PREFIX + "vocab_size",
    "byte_embd": EXTRA_PREFIX + "byte_embedding_size",
    "encoding": EXTRA_PREFIX + "encoding",
    "bos": EXTRA_PREFIX + "bos",
    "eos": EXTRA_PREFIX + "eos",
    "pad": EXTRA_PREFIX + "pad",
    "stop": EXTRA_PREFIX + "stop",
    "extras": EXTRA_PREFIX + "tensors",  # names of the stored extra tensors, in order
}


def _text_of(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return " ".join(_text_of(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k} {_text_of(v)}" for k, v in value.items())
    return ""


def recognise(config: dict) -> bool:
    """Whether config.json describes this model (by name only; nothing of it is imported)."""
    if not isinstance(config, dict):
        return False
    text = " ".join(_text_of(config.get(k)) for k in RECOGNISE_KEYS).lower()
    return any(s in text for s in RECOGNISE_SUBSTRINGS)


def expand(pattern: str, i: int | None = None, j: int | None = None) -> str:
    return pattern.replace("{i}", str(i) if i is not None else "{i}").replace("{j}", str(j) if j is not None else "{j}")


def dims(shape: tuple[str, ...], values: dict[str, int]) -> tuple[int, ...]:
    """A symbolic shape ("P*E" style products allowed) in numbers."""
    out = []
    for sym in shape:
        n = 1
        for part in sym.split("*"):
            n *= values[part]
        out.append(n)
    return tuple(out)


def stop_bytes() -> bytes:
    """The 4 bytes of "\\n" in the encoding (the card's stop sequence)."""
    from .encoding import encode_text

    return encode_text(STOP_TEXT)


def table_markdown() -> str:
    """The layout table as Markdown, for the README."""
    rows = ["| checkpoint tensor | shape | GGUF | role |", "|---|---|---|---|"]
    for r in BACKBONE + EXTRAS:
        gguf = r.gguf if r.gguf.startswith(("blk.", "output")) else EXTRA_PREFIX + "tensor." + r.gguf
        opt = " (optional)" if r.optional else ""
        rows.append(f"| `{r.pattern}` | [{', '.join(r.shape)}] | `{gguf}` | {r.role}{opt} |")
    return "\n".join(rows)
