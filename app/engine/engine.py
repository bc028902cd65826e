"""The engine: one loaded model with its prompt format, tokenizer, sampling defaults and KV cache.

    engine = Engine.load("model.gguf", gpu_layers="auto", n_ctx=None, threads=None)
    print(engine.backend, engine.format, engine.format_note)
    result = engine.generate("ユーザー: こんにちは<NL>システム: ", on_text=print)

An Engine is used from one thread at a time (the GUI's worker thread, or the terminal's);
``interrupt()`` and ``StopRequest.set()`` are the calls that are safe from any thread.
"""

from __future__ import annotations

import dataclasses

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.formats import ChatFormat
from quantize.gguf_info import GGUFInfo

from . import load_probe, loader
from .errors import EngineBusyError
from .generate import Generation, TextCallback, generate
from .runtime import LlamaRuntime
from .sampling import SamplingParams
from .tokenizer import RuntimeTokenizer


@dataclass(frozen=True)
class Backend:
    """Where the model runs."""

    name: str  # "CPU", or the GPU backend's device name (e.g. "CUDA0")
    device: str  # the GPU's description (e.g. "NVIDIA H100 80GB HBM3"); "" on the CPU
    gpu_layers: int  # layers offloaded (n_layer + 1: all, with the output layer)
    n_layer: int
    threads: int

    @property
    def on_gpu(self) -> bool:
        return self.gpu_layers > 0

    def __str__(self) -> str:
        if not self.on_gpu:
            return f"CPU ({self.threads} thread{'s' if self.threads != 1 else ''})"
        shown = min(self.gpu_layers, self.n_layer)
        kind = "".join(c for c in self.name if not c.isdigit()) or "GPU"
        return f"{kind}: {self.device or self.name} ({shown}/{self.n_layer} layers on the GPU)"


class Engine:
    """A loaded model. Build it with ``Engine.load``."""

    def __init__(self, info: GGUFInfo, runtime: LlamaRuntime, tokenizer: RuntimeTokenizer,
                 chat_format: ChatFormat, format_note: str, backend: Backend, notes: Sequence[str] = ()):
        self.info = info
        self.path = Path(info.path)
        self.runtime = runtime
        self.tokenizer = tokenizer
        self.format = chat_format
        self.format_note = format_note  # set when the format is a fallback (not a Hanashi family)
        self.thread_watch = None  # set when the thread counts are automatic (loader.ThreadWatch)
        self.backend = backend
        self.notes = [n for n in [format_note, *notes] if n]
        self.defaults = SamplingParams.from_card(info.sampling, info.banned_token_ids)
        # The model's own stop strings, recorded at conversion, join the format's.
        self.stop_strings = tuple(dict.fromkeys([*chat_format.stop_strings, *info.stop_strings]))

    @classmethod
    def load(cls, path: str | Path, gpu_layers: str | int = "auto", n_ctx: int | None = None,
             threads: int | None = None) -> "Engine":
        """Open a GGUF. Raises a ModelLoadError subclass for anything wrong with the file or machine."""
        info = loader.read_model_info(path)
        ctx, ctx_note = loader.choose_context(info, n_ctx)
        layers, gpus = loader.plan_memory(info, loader.context_used(info, ctx), gpu_layers)
        load_probe.check(info.path)  # llama.cpp meets a file it has not seen in a child process first
        automatic = not (threads and threads > 0)
        threads = loader.default_threads() if automatic else threads
        if info.family == "bygpt":  # a byte-level multi-head model: llama.cpp runs its backbone only
            from .bygpt import ByteEngine

            return ByteEngine.open(info, ctx, ctx_note, layers, gpus, threads)
        runtime = loader.open_runtime(info, ctx, threads, layers)
        try:
            tokenizer = loader.choose_tokenizer(info, runtime)
            chat_format, note = loader.choose_format(info, runtime)
        except Exception:
            runtime.close()
            raise
        gpu = gpus[0] if gpus and layers > 0 else None
        backend = Backend(gpu.name if gpu else "CPU", gpu.description if gpu else "", layers if gpu else 0,
                          runtime.n_layer, threads)
        engine = cls(info, runtime, tokenizer, chat_format, note, backend, [ctx_note])
        if automatic:  # the thread counts follow the machine's load, reply by reply
            engine.thread_watch = loader.ThreadWatch(runtime, threads)
        return engine

    # ------------------------------------------------------------------ facts

    @property
    def name(self) -> str:
        return self.info.name or self.path.stem

    @property
    def family(self) -> str:
        """The prompt format's family: a Hanashi family, "template" or "completion"."""
        return self.format.family

    @property
    def completion(self) -> bool:
        """True when the chat view is a text completion (base models)."""
        return self.format.completion

    @property
    def n_ctx(self) -> int:
        return self.runtime.n_ctx

    @property
    def n_cached(self) -> int:
        """Tokens currently held in the KV cache."""
        return len(self.runtime.cached)

    def sampling(self, overrides: Mapping | None = None, **kw) -> SamplingParams:
        """The card's sampling defaults with ``overrides`` applied."""
        return self.defaults.override(overrides, **kw)

    # ------------------------------------------------------------------ work

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text)

    def count_tokens(self, text: str) -> int:
        return self.tokenizer.count(text)

    def generate(self, prompt: str | Sequence[int], params: SamplingParams | None = None,
                 on_text: TextCallback | None = None, cancel=None, reuse_text: bool = True) -> Generation:
        """Continue ``prompt`` (text, or token ids from ``encode``). See ``generate.generate``."""
        tokens = self.encode(prompt) if isinstance(prompt, str) else list(prompt)
        if not self.runtime.lock.acquire(blocking=False):
            raise EngineBusyError("the model is already generating a reply", self.path,
                                  "wait for the reply to finish or stop it first")
        try:
            if self.thread_watch is not None:
                n = self.thread_watch.adjust()
                if n != self.backend.threads:
                    self.backend = dataclasses.replace(self.backend, threads=n)
            return generate(self.runtime, self.tokenizer, tokens, params or self.defaults, on_text, cancel,
                            reuse_text)
        finally:
            self.runtime.lock.release()

    def interrupt(self) -> None:
        """Abort the decode in progress (from any thread); the generation ends as cancelled."""
        self.runtime.abort.set()

    def clear_cache(self) -> None:
        """Forget the KV cache: the next prompt is evaluated in full."""
        with self.runtime.lock:
            self.runtime.clear()

    def close(self) -> None:
        with self.runtime.lock:
            self.runtime.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Engine({self.name!r}, family={self.family!r}, backend={str(self.backend)!r}, n_ctx={self.n_ctx})"
