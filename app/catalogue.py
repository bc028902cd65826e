"""The models Hanashi offers to download, and the quantization it recommends for this machine.

Each ``CatalogueEntry`` holds what the model's card says (parameters, licence, prompt format) and
what Hanashi knows about running it. Download sizes are the checkpoint's weights as published;
where the card does not state them they are computed from the parameter count and the weights'
dtype and marked approximate (``download_exact`` False, ``download_note`` says how).

``recommend(entry, ram_bytes, vram_bytes)`` picks the output type: the best quality whose GGUF,
plus the context cache and some headroom, fits in free GPU memory; otherwise the type that runs
comfortably from RAM; it says so when nothing fits. ``machine_memory()`` measures both the way the
engine does when it loads a model (``app.engine.hardware``). Nothing here touches the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.engine import hardware
from quantize.families import BASE, BYGPT, DOLLY, RINNA_BILINGUAL, RINNA_INSTRUCTION
from quantize.quantizer import QUANT_TYPES

GB = 2**30
GPU_HEADROOM = 512 * 2**20  # CUDA context and compute buffers (as the engine's layer planner keeps)
RAM_SPARE = 0.25  # "comfortable" from RAM: the model needs at most 3/4 of the free memory
SMALL_MODEL = 2_000_000_000  # below this many parameters, q8_0 is fast enough on a CPU

# Highest quality first. On a GPU the best type that fits wins; on a CPU the balanced q4_k_m is
# preferred (speed is bound by memory bandwidth), q8_0 for small models.
GPU_ORDER = ("q8_0", "q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k")
CPU_ORDER = ("q4_k_m", "q3_k_m", "q2_k")
CPU_ORDER_SMALL = ("q8_0", "q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k")

_RINNA_CARD_16BIT = ("not stated on the card: {params} parameters in 16-bit floats "
                     "(as rinna's 3.6b-instruction-ppo publishes its weights, BF16)")


@dataclass(frozen=True)
class CatalogueEntry:
    repo_id: str
    params_text: str  # as the card states it, e.g. "3.6B"
    n_params: int  # counted from the architecture (config values in quantize's facts)
    download_bytes: int
    download_exact: bool
    download_note: str  # where the size comes from
    licence: str
    family: str  # Hanashi's prompt family (quantize.families), or "base"
    architecture: str
    n_layer: int
    n_embd: int  # width of one layer's keys (no grouped-query attention in these models)
    n_ctx: int
    description: str
    description_ja: str
    supported: bool = True
    unsupported_reason: str = ""
    unsupported_reason_ja: str = ""

    @property
    def org(self) -> str:
        return self.repo_id.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.repo_id.split("/", 1)[1]

    def gguf_size(self, out_type: str) -> int:
        return estimated_gguf_size(self.n_params, out_type)

    def context_bytes(self) -> int:
        """The f16 key/value cache for the model's whole context."""
        return hardware.kv_cache_bytes(self.n_layer, self.n_ctx, self.n_embd)

    def download_text(self) -> str:
        return ("" if self.download_exact else "~") + human_gb(self.download_bytes)


def estimated_gguf_size(n_params: int, out_type: str) -> int:
    """A GGUF's size from the parameter count and the type's bits per weight (quantize's table)."""
    bits = {"f32": 32.0, "f16": 16.0, "bf16": 16.0}.get(out_type)
    if bits is None:
        bits = QUANT_TYPES[out_type][1]
    return int(n_params * bits / 8)


def human_gb(n: int) -> str:
    """Gigabytes as the model library and most systems show them (2**30 bytes)."""
    return f"{n / GB:.1f} GB"


# The 3.6b series: 36 layers × 2816 (ffn 11264), vocab 32,000 → 3,607,245,312 parameters; the
# safetensors also hold each layer's 2048×2048 bool attention mask (the card's "3.76B params").
_NEOX_36B = 3_607_245_312
_NEOX_36B_BYTES = _NEOX_36B * 2 + 36 * 2048 * 2048
_NEOX_4B = 3_796_120_064  # the same shape with a 65,536 vocabulary
_GPT2_1B = 1_302_712_320  # 24 layers × 2048 (ffn 8192), vocab 44,928, 1024 positions, tied output

SEEDS: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        "rinna/japanese-gpt-neox-3.6b-instruction-ppo", "3.6B", _NEOX_36B, _NEOX_36B_BYTES, False,
        "the card lists BF16 weights (3.6B parameters) and a BOOL attention mask per layer", "MIT",
        RINNA_INSTRUCTION, "GPTNeoXForCausalLM", 36, 2816, 2048,
        "rinna's Japanese chat model, tuned with reinforcement learning (PPO). The best first model.",
        "rinna の日本語対話モデル（強化学習 PPO で調整）。最初の一台におすすめです。"),
    CatalogueEntry(
        "rinna/japanese-gpt-neox-3.6b-instruction-sft-v2", "3.6B", _NEOX_36B, _NEOX_36B_BYTES, False,
        _RINNA_CARD_16BIT.format(params="3.6B"), "MIT",
        RINNA_INSTRUCTION, "GPTNeoXForCausalLM", 36, 2816, 2048,
        "rinna's Japanese chat model, instruction-tuned (second version of the SFT model).",
        "rinna の日本語対話モデル（指示チューニング SFT の第 2 版）。"),
    CatalogueEntry(
        "rinna/japanese-gpt-neox-3.6b-instruction-sft", "3.6B", _NEOX_36B, _NEOX_36B_BYTES, False,
        _RINNA_CARD_16BIT.format(params="3.6B"), "MIT",
        RINNA_INSTRUCTION, "GPTNeoXForCausalLM", 36, 2816, 2048,
        "rinna's Japanese chat model, instruction-tuned (first SFT version).",
        "rinna の日本語対話モデル（指示チューニング SFT の初版）。"),
    CatalogueEntry(
        "rinna/japanese-gpt-neox-3.6b", "3.6B", _NEOX_36B, _NEOX_36B_BYTES, False,
        _RINNA_CARD_16BIT.format(params="3.6B"), "MIT",
        BASE, "GPTNeoXForCausalLM", 36, 2816, 2048,
        "rinna's Japanese base model: continues the text you write; it does not chat.",
        "rinna の日本語ベースモデル。書いた文章の続きを書きます（対話はしません）。"),
    CatalogueEntry(
        "rinna/bilingual-gpt-neox-4b-instruction-sft", "3.8B", _NEOX_4B, _NEOX_4B * 2, False,
        "not stated on the card (it ships pytorch_model.bin only): 3.8B parameters in 16-bit floats",
        "MIT", RINNA_BILINGUAL, "GPTNeoXForCausalLM", 36, 2816, 2048,
        "rinna's English–Japanese chat model, instruction-tuned.",
        "rinna の英語・日本語バイリンガル対話モデル（指示チューニング）。"),
    CatalogueEntry(
        "inu-ai/dolly-japanese-gpt-1b", "1.3B", _GPT2_1B, _GPT2_1B * 4, False,
        "not stated on the card: 1.3B parameters in 32-bit floats (trained with --bf16 mixed "
        "precision, which keeps float32 weights; the card asks for 7 GB of memory)",
        "MIT", DOLLY, "GPT2LMHeadModel", 24, 2048, 1024,
        "inu-ai's small Japanese chat model (based on rinna japanese-gpt-1b); 1024-token context.",
        "inu-ai の小型日本語対話モデル（rinna japanese-gpt-1b ベース）。文脈は 1024 トークン。"),
    CatalogueEntry(
        "tohoku-nlp/bygpt-jp-multi-lm-head-6.5B-alpha", "6.5B", 6_500_000_000, 13_000_000_000, False,
        "not stated on the card: 6.5B parameters (from its name) in BF16 (the card loads it as bfloat16)",
        "Apache-2.0", BYGPT, "Llama-based, byte-level, 4 LM heads", 0, 0, 0,
        "Tohoku NLP's byte-level Japanese base model (alpha): predicts 4 bytes at once. Its layout "
        "is partly assumed (see the README); text continuation only.",
        "東北大学 NLP の バイト単位 日本語ベースモデル（アルファ版）。一度に 4 バイトを予測します。"
        "構造の一部は推定です（README 参照）。文章の続きを書くモデルです。",
    ),
)


def find(repo_id: str) -> CatalogueEntry | None:
    key = repo_id.strip().lower()
    return next((e for e in SEEDS if e.repo_id.lower() == key), None)


# ----------------------------------------------------------------------------- repo ids

_HUB_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?huggingface\.co/", re.IGNORECASE)
_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"^{_PART}/{_PART}$")


class RepoIdError(ValueError):
    """A repo id that is not ORG/NAME; ``str()`` says what is wrong and how it should look."""


def parse_repo_id(text: str) -> str:
    """``ORG/NAME`` from what a user typed (a Hub address is accepted too); raises RepoIdError."""
    s = text.strip()
    s = _HUB_PREFIX.sub("", s)
    s = re.split(r"/(?:tree|blob|resolve)/", s, maxsplit=1)[0].rstrip("/")
    if not s:
        raise RepoIdError("type a model's repo id, for example rinna/japanese-gpt-neox-3.6b-instruction-ppo")
    if s.count("/") != 1:
        raise RepoIdError(f"{text.strip()!r} is not a repo id: write it as ORG/NAME, for example "
                          "rinna/japanese-gpt-neox-3.6b-instruction-ppo")
    if not _REPO_ID.match(s) or "--" in s or ".." in s:
        raise RepoIdError(f"{s!r} is not a valid repo id: the organisation and the name may use letters, "
                          "digits, '-', '_' and '.', up to 96 characters each")
    return s


# ----------------------------------------------------------------------------- recommendation

@dataclass(frozen=True)
class Recommendation:
    out_type: str | None  # None: the model cannot run here (too large, or not supported)
    reason: str  # one English sentence; the app shows its own translation built from the fields below
    where: str  # "gpu" | "ram" | "ram_tight" | "too_small" | "unsupported"
    file_size: int = 0  # estimated GGUF bytes of out_type (for "too_small": of the smallest type)
    memory: int = 0  # the memory it was measured against (VRAM for "gpu", else RAM)
    gpu_memory: int = 0  # free VRAM when the model did not fit there (0: no usable GPU)


def _need_gpu(entry: CatalogueEntry, out_type: str) -> int:
    return entry.gguf_size(out_type) + entry.context_bytes() + GPU_HEADROOM


def _need_ram(entry: CatalogueEntry, out_type: str) -> int:
    return hardware.ram_needed(entry.gguf_size(out_type), entry.n_layer, 0, entry.context_bytes())


def recommend(entry: CatalogueEntry, ram_bytes: int | None, vram_bytes: int | None = 0) -> Recommendation:
    """The quantization to download ``entry`` as on a machine with this much free RAM and VRAM."""
    if not entry.supported:
        return Recommendation(None, entry.unsupported_reason, "unsupported")
    vram = max(0, int(vram_bytes or 0))
    if vram:
        for t in GPU_ORDER:
            if _need_gpu(entry, t) <= vram:
                size = entry.gguf_size(t)
                return Recommendation(t, f"{t}: about {human_gb(size)}, fits in your GPU's {human_gb(vram)} "
                                         "of free memory with room for the context", "gpu", size, vram)
    if ram_bytes is None:  # the system does not say: the usual balanced choice
        t = "q4_k_m"
        return Recommendation(t, f"{t}: about {human_gb(entry.gguf_size(t))}, the usual balance of quality "
                                 "and speed (this system does not report its free memory)", "ram",
                              entry.gguf_size(t), 0, vram)
    ram = max(0, int(ram_bytes))
    order = CPU_ORDER_SMALL if entry.n_params < SMALL_MODEL else CPU_ORDER
    gpu_note = f"too large for your GPU's {human_gb(vram)} of free memory; " if vram else ""
    for t in order:
        if _need_ram(entry, t) <= ram * (1 - RAM_SPARE):
            size = entry.gguf_size(t)
            return Recommendation(t, f"{t}: about {human_gb(size)}, {gpu_note}leaves room in the "
                                     f"{human_gb(ram)} of RAM free now", "ram", size, ram, vram)
    for t in reversed(GPU_ORDER):  # smallest first: the first that fits at all is the only sensible one
        if _need_ram(entry, t) <= ram:
            size = entry.gguf_size(t)
            return Recommendation(t, f"{t}: about {human_gb(size)}, {gpu_note}only just fits in the "
                                     f"{human_gb(ram)} of RAM free now: close other programs first",
                                  "ram_tight", size, ram, vram)
    smallest = GPU_ORDER[-1]
    need = _need_ram(entry, smallest)
    return Recommendation(None, f"too large for this machine: even {smallest} needs about {human_gb(need)} "
                                f"of memory, and {human_gb(ram)} of RAM is free"
                                + (f" ({human_gb(vram)} on the GPU)" if vram else ""),
                          "too_small", need, ram, vram)


def machine_memory() -> tuple[int | None, int]:
    """(free RAM or None, free VRAM usable by llama.cpp) — as the engine measures them when it loads."""
    ram = hardware.mem_available()
    vram = 0
    try:
        if hardware.supports_gpu_offload():
            gpus = hardware.gpu_devices()
            vram = gpus[0].free if gpus and gpus[0].free else (hardware.nvidia_free_vram() or 0)
    except (OSError, AttributeError, ImportError):
        vram = 0
    return ram, vram
