"""Errors the engine reports to people: what went wrong, with which file, and how to fix it.

Every problem with a model file surfaces as a ``ModelLoadError`` subclass, so a caller (the
terminal chat, the GUI) can catch one type and show ``str(error)``.
"""

from __future__ import annotations

from quantize.errors import ExplainedError


class EngineError(ExplainedError):
    """Base class of the engine's errors: ``message``, ``path`` and ``fix`` as in ExplainedError."""


class ModelLoadError(EngineError):
    """The model file could not be opened as a runnable model."""


class ModelNotFoundError(ModelLoadError):
    """No file at the given path."""


class NotAModelError(ModelLoadError):
    """The file is not a GGUF, or its header is damaged."""


class CorruptModelError(ModelLoadError):
    """The header reads, but llama.cpp cannot load the weights (truncated or damaged data)."""


class InvalidModelError(CorruptModelError):
    """The header reads, but a metadata value is one llama.cpp or Hanashi cannot use.

    ``problems`` lists each bad value (``quantize.gguf_check.Problem``: key, value, what is allowed).
    """

    def __init__(self, message: str, path: object = None, fix: str = "", problems: list | None = None):
        self.problems = list(problems or [])
        super().__init__(message, path, fix)


class UnsupportedArchitectureError(ModelLoadError):
    """The GGUF describes an architecture this llama.cpp build cannot run."""

    def __init__(self, architecture: str, path: object = None, fix: str = ""):
        self.architecture = architecture
        super().__init__(
            f"the model architecture {architecture!r} is not supported by this build of llama.cpp",
            path,
            fix or "convert a supported model (GPT-NeoX or GPT-2 families) with hanashi-quantize, "
            "or update Hanashi",
        )


class ModelTooLargeError(ModelLoadError):
    """The model (plus its context cache) needs more memory than the machine has free."""

    def __init__(self, needed: int, available: int, path: object = None):
        self.needed = needed
        self.available = available
        super().__init__(
            f"the model needs about {needed / 2**30:.1f} GiB of memory but only "
            f"{available / 2**30:.1f} GiB is available",
            path,
            "close other programs, choose a smaller quantization (e.g. q4_k_m), "
            "use a smaller context size (--ctx), or offload layers to a GPU",
        )


class GenerationError(EngineError):
    """llama.cpp failed while evaluating tokens (not a cancellation)."""


class EngineBusyError(EngineError):
    """A second generation was started on an engine that is already generating."""
