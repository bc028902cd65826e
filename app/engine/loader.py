"""Opening a GGUF for chat: check the file and the machine first, then load it into llama.cpp.

Every failure becomes a ModelLoadError subclass naming the file and the fix. The checks run in
order of cost: the path, the GGUF header (and that the tensor data is all there), free memory,
then llama.cpp itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.formats import ChatFormat, get_format
from quantize import families
from quantize.gguf_info import GGUFInfo

from . import hardware
from quantize.gguf_check import MIN_CONTEXT
from quantize.llama_archs import LLAMA_ARCHITECTURES

from .gguf_header import head_counts, read_checked_info, read_gguf_info
from .errors import (CorruptModelError, ModelLoadError, ModelNotFoundError, ModelTooLargeError,
                     NotAModelError, UnsupportedArchitectureError)
from .runtime import LlamaRuntime
from .tokenizer import SENTENCEPIECE, LlamaTokenizer, RuntimeTokenizer, SentencePieceTokenizer

# A context larger than this is only allocated when asked for: long-context models converted
# elsewhere would otherwise reserve gigabytes of KV cache by default.
DEFAULT_MAX_CTX = 4096


def read_model_info(path: str | Path) -> GGUFInfo:
    """The file's metadata after every value llama.cpp and Hanashi use has been checked.

    Raises a ModelLoadError subclass: ModelNotFoundError, NotAModelError, CorruptModelError,
    UnsupportedArchitectureError, or InvalidModelError naming the key, the value and what is allowed.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelNotFoundError("no such model file", path, "check the path to the .gguf file")
    if path.is_dir():
        raise NotAModelError("this is a folder, not a GGUF model file", path,
                             "pick the .gguf file, or convert a Hugging Face folder with hanashi-quantize")
    try:
        info = read_gguf_info(path)
    except OSError as e:
        raise ModelLoadError(f"the file cannot be read ({e.strerror or e})", path,
                             "check that the file is readable") from e
    if not info.architecture:
        raise NotAModelError("the GGUF header names no model architecture (general.architecture)", path,
                             "the file was not written as a model; convert the model again")
    if info.architecture not in LLAMA_ARCHITECTURES:
        raise UnsupportedArchitectureError(info.architecture, path)
    try:
        return read_checked_info(path)
    except OSError as e:
        raise ModelLoadError(f"the file cannot be read ({e.strerror or e})", path,
                             "check that the file is readable") from e


def choose_context(info: GGUFInfo, requested: int | None) -> tuple[int, str]:
    """The context size to allocate, and a note when the request was changed.

    At most the model's own context (and its card's limit); at least MIN_CONTEXT tokens, the least
    that holds a prompt and a short reply, unless the model itself is trained on fewer.
    """
    trained = info.n_ctx if isinstance(info.n_ctx, int) and info.n_ctx > 0 else 2048
    limit = min(trained, info.context_limit) if info.context_limit and info.context_limit > 0 else trained
    if requested is None or requested <= 0:
        return min(limit, DEFAULT_MAX_CTX), ""
    if requested > limit:
        return limit, f"context {requested} is more than the model supports; using {limit}"
    least = min(MIN_CONTEXT, limit)
    if requested < least:
        return least, f"context {requested} is too small to hold a prompt and a reply; using {least}"
    return int(requested), ""


def _kv_width(info: GGUFInfo) -> int:
    """Width of one layer's keys per position: n_embd, narrower with grouped-query attention."""
    if info.has_hanashi_metadata:
        return info.n_embd  # Hanashi's families have no grouped-query attention
    try:
        heads, kv_heads = head_counts(info.path)
    except ModelLoadError:
        return info.n_embd
    return int(info.n_embd * kv_heads / heads) if heads and kv_heads else info.n_embd


def plan_memory(info: GGUFInfo, n_ctx: int, gpu_layers: str | int) -> tuple[int, list[hardware.GpuDevice]]:
    """Decide the GPU layers and check that the rest fits in RAM (raises ModelTooLargeError)."""
    kv = hardware.kv_cache_bytes(info.n_layer, n_ctx, _kv_width(info))
    gpus = hardware.gpu_devices()
    free_vram = gpus[0].free if gpus and gpus[0].free else hardware.nvidia_free_vram()
    layers = hardware.plan_gpu_layers(gpu_layers, info.n_layer, info.size, kv, free_vram)
    need = hardware.ram_needed(info.size, info.n_layer, layers, kv)
    available = hardware.mem_available()
    if available is not None and need > available:
        raise ModelTooLargeError(need, available, info.path)
    return layers, gpus


def open_runtime(info: GGUFInfo, n_ctx: int, threads: int, gpu_layers: int) -> LlamaRuntime:
    try:
        return LlamaRuntime(info.path, n_ctx, threads, gpu_layers)
    except OSError as e:
        details = str(e)
        if "unknown model architecture" in details:
            raise UnsupportedArchitectureError(info.architecture, info.path) from None
        raise CorruptModelError(f"llama.cpp could not load the model ({details})", info.path,
                                "the file may be truncated or damaged: download or convert it again") from None


def choose_tokenizer(info: GGUFInfo, runtime: LlamaRuntime) -> RuntimeTokenizer:
    """llama.cpp's tokenizer where its parity was measured exact, else the embedded sentencepiece."""
    if info.has_hanashi_metadata:
        if info.sp_model and info.runtime_tokenizer in (SENTENCEPIECE, ""):
            return SentencePieceTokenizer(info.sp_model)
        return LlamaTokenizer(runtime)  # no BOS: none of Hanashi's families wants one
    bos = runtime.bos() if runtime.add_bos() and runtime.bos() >= 0 else None
    return LlamaTokenizer(runtime, bos=bos, parse_special=True)


def choose_format(info: GGUFInfo, runtime: LlamaRuntime) -> tuple[ChatFormat, str]:
    """The prompt format and, when it is a fallback, a sentence saying so."""
    if info.family in families.FAMILIES:
        return get_format(info.family), ""
    why = ("this file has no Hanashi metadata" if info.family is None
           else f"this file's family {info.family!r} is unknown to this version of Hanashi")
    if info.chat_template:
        try:
            fmt = get_format("template", info.chat_template, runtime.token_text(runtime.bos()),
                             runtime.token_text(runtime.eos()))
            return fmt, f"{why}: using the chat template stored in the file"
        except ValueError as e:
            return get_format("completion"), f"{why} and its chat template is unusable ({e}): plain text completion"
    return get_format("completion"), f"{why} and no chat template: plain text completion"


def default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
