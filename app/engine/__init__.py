"""Hanashi's inference core: load a GGUF, format conversations, generate on a worker thread.

Plain Python over llama-cpp-python's low-level API; no GUI imports. The GUI and the terminal
chat use the same pieces:

* ``Engine.load(path, gpu_layers="auto", n_ctx=None, threads=None)`` → ``Engine``
* ``generate_reply(engine, persona, turns, new_message, ...)`` → ``ReplyResult`` (stateless)
* ``ChatSession(engine, persona, sampling)`` with ``reply`` / ``regenerate`` / ``reset``
* ``EngineWorker`` runs those on a background thread with events and ``stop()``
"""

from .chat import ChatSession, DisplayStream, ReplyResult, generate_reply
from .engine import Backend, Engine
from .errors import (CorruptModelError, EngineBusyError, EngineError, GenerationError, InvalidModelError,
                     ModelLoadError, ModelNotFoundError, ModelTooLargeError, NotAModelError,
                     UnsupportedArchitectureError)
from .generate import CANCELLED, CONTEXT, EOS, LENGTH, STOP, Generation, StopRequest
from .sampling import SamplingParams
from .worker import DONE, ERROR, TEXT, EngineWorker, WorkerEvent

__all__ = [
    "Backend", "CANCELLED", "CONTEXT", "ChatSession", "CorruptModelError", "DONE", "DisplayStream", "EOS",
    "ERROR", "Engine", "EngineBusyError", "EngineError", "EngineWorker", "Generation", "GenerationError",
    "InvalidModelError", "LENGTH", "ModelLoadError", "ModelNotFoundError", "ModelTooLargeError", "NotAModelError",
    "ReplyResult", "STOP", "SamplingParams", "StopRequest", "TEXT", "UnsupportedArchitectureError",
    "WorkerEvent", "generate_reply",
]
