"""Errors the engine reports to people: what went wrong, with which file, and how to fix it.

Every problem with a model file surfaces as a ``ModelLoadError`` subclass, so a caller (the
terminal chat, the GUI) can catch one type and show ``str(error)``.
"""

from __future__ import annotations

from quantize.errors import ExplainedError


class EngineError(ExplainedError):
    """Base class of the engine's errors: ``message``, ``path``, ``fix``, ``code`` and ``params`` as in
    ExplainedError."""

    default_code = "engine.failed"


class ModelLoadError(EngineError):
    """The model file could not be opened as a runnable model."""

    default_code = "model.load_failed"


class ModelNotFoundError(ModelLoadError):
    """No file at the given path."""

    default_code = "gguf.missing"


class NotAModelError(ModelLoadError):
    """The file is not a GGUF, or its header is damaged."""

    default_code = "gguf.not_gguf"


class CorruptModelError(ModelLoadError):
    """The header reads, but llama.cpp cannot load the weights (truncated or damaged data)."""

    default_code = "gguf.corrupt"


class InvalidModelError(CorruptModelError):
    """The header reads, but a metadata value is one llama.cpp or Hanashi cannot use.

    ``problems`` lists each bad value (``quantize.gguf_check.Problem``: key, value, what is allowed).
    """

    default_code = "gguf.invalid"

    def __init__(self, message: str, path: object = None, fix: str = "", problems: list | None = None, *,
                 code: str | None = None, params: dict | None = None):
        self.problems = list(problems or [])
        if params is None and self.problems:
            params = {"key": str(getattr(self.problems[0], "key", "")), "count": len(self.problems)}
        super().__init__(message, path, fix, code=code, params=params)


class UnsupportedArchitectureError(ModelLoadError):
    """The GGUF describes an architecture this llama.cpp build cannot run."""

    default_code = "model.architecture"

    def __init__(self, architecture: str, path: object = None, fix: str = ""):
        self.architecture = architecture
        super().__init__(
            f"the model architecture {architecture!r} is not supported by this build of llama.cpp",
            path,
            fix or "convert a supported model (GPT-NeoX or GPT-2 families) with hanashi-quantize, "
            "or update Hanashi",
            params={"architecture": str(architecture)},
        )


class ModelTooLargeError(ModelLoadError):
    """The model (plus its context cache) needs more memory than the machine has free."""

    default_code = "model.too_large"

    def __init__(self, needed: int, available: int, path: object = None):
        self.needed = needed
        self.available = available
        super().__init__(
            f"the model needs about {needed / 2**30:.1f} GiB of memory but only "
            f"{available / 2**30:.1f} GiB is available",
            path,
            "close other programs, choose a smaller quantization (e.g. q4_k_m), "
            "use a smaller context size (--ctx), or offload layers to a GPU",
            params={"needed_gib": f"{needed / 2**30:.1f}", "available_gib": f"{available / 2**30:.1f}"},
        )


class GenerationError(EngineError):
    """llama.cpp failed while evaluating tokens (not a cancellation)."""

    default_code = "engine.generation"


class EngineBusyError(EngineError):
    """A second generation was started on an engine that is already generating."""

    default_code = "engine.busy"
