"""Opening a GGUF for chat: check the file and the machine first, then load it into llama.cpp.

Every failure becomes a ModelLoadError subclass naming the file and the fix. The checks run in
order of cost: the path, the GGUF header (and that the tensor data is all there), free memory,
then llama.cpp itself.
"""

from __future__ import annotations

import stat
from pathlib import Path

from app.formats import ChatFormat, get_format
from quantize import families
from quantize.errors import GGUFFileError
from quantize.gguf_info import GGUFInfo, stat_file

from . import hardware
from . import threads as threads_policy
from quantize import llama_lib
from quantize.gguf_check import MIN_CONTEXT
from quantize.llama_archs import LLAMA_ARCHITECTURES

from .gguf_header import head_counts, read_checked_info
from .errors import (CorruptModelError, ModelLoadError, ModelNotFoundError, ModelTooLargeError,
                     NotAModelError, UnsupportedArchitectureError)
from .runtime import LlamaRuntime
from .tokenizer import SENTENCEPIECE, LlamaTokenizer, RuntimeTokenizer, SentencePieceTokenizer

# A context larger than this is only allocated when asked for: long-context models converted
# elsewhere would otherwise reserve gigabytes of KV cache by default.
DEFAULT_MAX_CTX = 4096
# llama.cpp rounds a context up to a multiple of this (GGML_PAD(n_ctx, 256) in llama_context).
CONTEXT_STEP = 256


def read_model_info(path: str | Path) -> GGUFInfo:
    """The file's metadata after every value llama.cpp and Hanashi use has been checked.

    Raises a ModelLoadError subclass: ModelNotFoundError, NotAModelError, CorruptModelError,
    UnsupportedArchitectureError, or InvalidModelError naming the key, the value and what is allowed.
    """
    path = Path(path).expanduser()
    try:
        mode = stat_file(path).st_mode  # a missing file, a dangling link, a symlink loop: each said plainly
    except GGUFFileError as e:
        raise ModelNotFoundError(e.message, path, e.fix, code=e.code, params=e.params) from None
    if stat.S_ISDIR(mode):
        raise NotAModelError("this is a folder, not a GGUF model file", path,
                             "pick the .gguf file, or convert a Hugging Face folder with hanashi-quantize",
                             code="gguf.folder")

    def runnable_architecture(info: GGUFInfo) -> None:
        if not info.architecture:
            raise NotAModelError("the GGUF header names no model architecture (general.architecture)", path,
                                 "the file was not written as a model; convert the model again",
                                 code="model.no_architecture")
        if info.architecture not in LLAMA_ARCHITECTURES:
            raise UnsupportedArchitectureError(info.architecture, path)

    try:  # one read of the header: the architecture first, then every value
        return read_checked_info(path, first=runnable_architecture)
    except OSError as e:
        raise ModelLoadError(f"the file cannot be read ({e.strerror or e})", path,
                             "check that the file is readable", code="gguf.unreadable") from e


def context_limit(info: GGUFInfo) -> int:
    """The most context the model may use: its trained context, lowered by its card's limit."""
    trained = info.n_ctx if isinstance(info.n_ctx, int) and info.n_ctx > 0 else 2048
    return min(trained, info.context_limit) if info.context_limit and info.context_limit > 0 else trained


def context_used(info: GGUFInfo, n_ctx: int) -> int:
    """The context the chat gets when ``n_ctx`` is asked of llama.cpp, which rounds it up to a
    multiple of CONTEXT_STEP: that, but never more than the model's limit (``LlamaRuntime.n_ctx``)."""
    return min(context_limit(info), -(-n_ctx // CONTEXT_STEP) * CONTEXT_STEP)


def choose_context(info: GGUFInfo, requested: int | None) -> tuple[int, str]:
    """The context size to ask llama.cpp for, and a note when the context used differs from the request.

    At most the model's own context (and its card's limit); at least MIN_CONTEXT tokens, the least
    that holds a prompt and a short reply, unless the model itself is trained on fewer. llama.cpp
    rounds the size up to a multiple of CONTEXT_STEP, and the chat uses that room (within the
    model's limit): the note names the size actually used, the one the status line shows.
    """
    limit = context_limit(info)
    if requested is None or requested <= 0:
        return min(limit, DEFAULT_MAX_CTX), ""
    if requested > limit:
        return limit, f"context {requested} is more than the model supports; using {limit}"
    least = min(MIN_CONTEXT, limit)
    ctx = max(int(requested), least)
    used = context_used(info, ctx)
    step = f"llama.cpp sets up the context in steps of {CONTEXT_STEP} tokens"
    if used % CONTEXT_STEP:
        step += f", and the model allows at most {limit}"
    if requested < least:
        return ctx, (f"context {requested} is too small to hold a prompt and a reply; using {used}"
                     + (f" ({step})" if used != ctx else ""))
    if used != requested:
        return ctx, f"context {requested} is rounded up to {used}: {step}"
    return ctx, ""


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


def open_runtime(info: GGUFInfo, n_ctx: int, threads: int, gpu_layers: int,
                 runtime_class: type[LlamaRuntime] = LlamaRuntime) -> LlamaRuntime:
    try:
        runtime = runtime_class(info.path, n_ctx, threads, gpu_layers, max_ctx=context_used(info, n_ctx))
    except OSError as e:
        details = str(e)
        if "unknown model architecture" in details:
            raise UnsupportedArchitectureError(info.architecture, info.path) from None
        raise CorruptModelError(f"llama.cpp could not load the model ({details})", info.path,
                                "the file may be truncated or damaged: download or convert it again",
                                code="model.llama_refused") from None
    batch = getattr(threads, "batch", None)  # a ThreadCount: its own prompt-batch count
    if batch and batch != threads and getattr(runtime, "ctx", None):
        llama_lib.load().llama_set_n_threads(runtime.ctx, int(threads), int(batch))
    return runtime


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


class ThreadWatch:
    """Automatic thread counts kept in step with the machine: before each reply, the cores other
    programs used since the last reply are left to them (``threads.LoadWatch``)."""

    def __init__(self, runtime, count: int):
        self.runtime = runtime
        self.current = (int(count), int(getattr(count, "batch", count)))
        self.topology = threads_policy.topology()  # read once: the cores do not change while a model is loaded
        self.watch = threads_policy.LoadWatch(self.topology[0])

    def adjust(self) -> int:
        """Set llama.cpp's counts for the next reply; returns the decode count."""
        busy = self.watch.busy()
        if busy is None or not getattr(self.runtime, "ctx", None):
            return self.current[0]
        choice = threads_policy.choose(*self.topology, busy=busy)
        wanted = (choice.decode, choice.batch)
        if wanted != self.current:
            llama_lib.load().llama_set_n_threads(self.runtime.ctx, wanted[0], wanted[1])
            self.current = wanted
        return self.current[0]


def default_threads() -> int:
    """Decode threads for this machine now, carrying the prompt-batch count (``app.engine.threads``)."""
    return threads_policy.default_choice().count()
