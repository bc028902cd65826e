"""Running llama.cpp work that a file's content could crash, in a child process.

llama.cpp aborts the whole process (``GGML_ASSERT``, an uncaught C++ exception) on many values it
does not expect. Every call that hands llama.cpp content Hanashi has not fully validated —
tokenizer probes, quantization, the first load of a GGUF — runs through ``run()`` here:

    result = child.run("quantize.parity_tokens:measure_file", (path, kind), stage="measuring the tokenizer",
                       path=path, progress=on_progress, cancelled=flag.is_set)

* the target is named as ``"module:function"`` and imported in a fresh interpreter
  (``python -m quantize.child``, or the frozen app started with ``--hanashi-child``), so nothing
  of the parent's state — Qt, threads, a loaded model, its ``__main__`` — is inherited;
* its return value comes back pickled; an ``ExplainedError`` it raises is raised again here as the
  same class with the same message, path and fix;
* if the child dies (a signal, a non-zero exit) ``ChildCrashed`` names the stage, the file, the
  signal and the last lines llama.cpp wrote to stderr;
* ``cancelled()`` is polled every 50 ms; when it turns true the child is killed at once and
  ``ConversionCancelled`` is raised, so cancel takes effect within a fraction of a second at any
  stage, even inside a C call or a read that never returns;
* Ctrl-C reaches only the parent (the child runs in its own session): the parent kills the child
  and lets ``KeyboardInterrupt`` go on; the child also dies with its parent (PR_SET_PDEATHSIG on Linux).
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

from .cleanup import remove_tree
from .errors import ConversionCancelled, ConversionError, ExplainedError

Progress = Callable[[str, int, int, str], None]  # stage, done, total, detail

_POLL = 0.05
_STDERR_TAIL = 4000  # bytes of the child's stderr kept for the message


class ChildCrashed(ConversionError):
    """The child process died (llama.cpp aborted, or it was killed) before it answered."""

    default_code = "worker.crashed"

    def __init__(self, stage: str, path: object, exitcode: int | None, stderr_tail: str, fix: str = ""):
        self.stage = stage
        self.exitcode = exitcode
        self.stderr_tail = stderr_tail
        if exitcode is not None and exitcode < 0:
            try:
                how = f"was stopped by signal {signal.Signals(-exitcode).name}"
            except ValueError:
                how = f"was stopped by signal {-exitcode}"
        else:
            how = f"exited with code {exitcode}"
        last = _last_meaningful_line(stderr_tail)
        message = f"llama.cpp failed while {stage}: the worker process {how}"
        if last:
            message += f" ({last})"
        super().__init__(message, path, fix or "the file's contents are not something llama.cpp can use: "
                         "download or convert it again; if it keeps happening, report it with this message")


class ChildTimeout(ConversionError):
    """The child did not answer in time and was stopped."""

    default_code = "worker.timeout"


def _last_meaningful_line(text: str) -> str:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line:
            return line[:300]
    return ""


# ----------------------------------------------------------------------------- child side

def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _send_error(conn, e: BaseException) -> None:
    if isinstance(e, ExplainedError):
        state = {k: v for k, v in vars(e).items() if _picklable(v)}
        conn.send(("explained", type(e).__module__, type(e).__qualname__, state))
    elif isinstance(e, ConversionCancelled):
        conn.send(("cancelled",))
    else:
        conn.send(("exception", type(e).__name__, str(e)[:2000], traceback.format_exc()[-4000:]))


def _picklable(value) -> bool:
    try:
        pickle.dumps(value)
        return True
    except Exception:  # noqa: BLE001
        return False


def _child_main(conn, target: str, args: tuple, kwargs: dict, with_progress: bool,
                scratch: str | None = None) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if scratch:  # every temporary file of this child (and its children) goes where the parent can sweep
        os.environ["TMPDIR"] = scratch
        tempfile.tempdir = scratch
    try:
        module, _, name = target.partition(":")
        fn = getattr(importlib.import_module(module), name)
        if with_progress:
            last = [0.0]

            def progress(stage: str, done: int, total: int, detail: str = "") -> None:
                now = time.monotonic()
                if done >= total or now - last[0] >= 0.1:
                    last[0] = now
                    conn.send(("progress", stage, int(done), int(total), detail or ""))

            kwargs = {**kwargs, "progress": progress}
        result = fn(*args, **kwargs)
        conn.send(("result", result))
    except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
        try:
            _send_error(conn, e)
        except Exception:  # noqa: BLE001
            conn.send(("exception", type(e).__name__, str(e)[:2000], ""))
    finally:
        conn.close()


def child_entry(fd: int | None = None) -> None:
    """The child's entry point: read the request from stdin, answer on file descriptor ``fd``."""
    if fd is None:
        fd = int(sys.argv[-1])
    request = pickle.loads(sys.stdin.buffer.read())
    conn = Connection(fd, readable=False)
    _child_main(conn, *request)


def child_command() -> list[str]:
    """How to start a child: this interpreter, or the frozen app with its hidden child switch."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--hanashi-child"]
    return [sys.executable, "-m", "quantize.child"]


# ----------------------------------------------------------------------------- parent side

def _rebuild(module: str, qualname: str, state: dict) -> BaseException:
    try:
        cls: Any = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
        err = cls.__new__(cls)
        err.__dict__.update(state)
        Exception.__init__(err, str(err))
        return err
    except Exception:  # noqa: BLE001
        return ConversionError(state.get("message", "the worker process failed"), state.get("path"),
                               state.get("fix", ""))


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        pass


def _read_tail(log) -> str:
    try:
        log.seek(0, os.SEEK_END)
        size = log.tell()
        log.seek(max(0, size - _STDERR_TAIL))
        return log.read().decode("utf-8", "replace")
    except (OSError, ValueError):
        return ""


def run(target: str, args: tuple = (), kwargs: dict | None = None, *, stage: str, path: object = None,
        progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
        timeout: float | None = None, fix: str = "", scratch: bool = True) -> Any:
    """Call ``target(*args, **kwargs)`` in a child process and return its result (see module doc).

    With ``scratch`` (the default) the child's temporary files go to a folder of its own that is
    removed when it ends, however it ends: a killed child leaves nothing in the temp directory.
    """
    # The owner's pid is part of the scratch folder's name, so the sweep at start (quantize.cleanup)
    # removes only what a process that is gone left behind.
    scratch_dir = tempfile.mkdtemp(prefix=f"hanashi-job-{os.getpid()}-") if scratch else None
    log = tempfile.TemporaryFile(prefix="hanashi-child-", suffix=".log")
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [env.get("PYTHONPATH")])])
    r_fd, w_fd = os.pipe()
    recv = Connection(r_fd, writable=False)
    request = pickle.dumps((target, tuple(args), dict(kwargs or {}), progress is not None, scratch_dir))
    deadline = time.monotonic() + timeout if timeout else None
    proc = None
    try:
        try:
            proc = subprocess.Popen([*child_command(), str(w_fd)], stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=log, pass_fds=(w_fd,), env=env,
                                    start_new_session=True)
        finally:
            os.close(w_fd)
        try:
            proc.stdin.write(request)
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # it died at once: reported below with its exit status
        while True:
            if cancelled is not None and cancelled():
                _stop(proc)
                raise ConversionCancelled()
            if deadline is not None and time.monotonic() > deadline:
                _stop(proc)
                raise ChildTimeout(f"stopped after {timeout:.0f} s while {stage}: the worker did not answer",
                                   path, fix or "the file may be on a stalled disk or be a pipe: copy it "
                                   "to a local disk and try again")
            try:
                ready = recv.poll(_POLL)
            except (EOFError, OSError):
                ready = True
            if not ready:
                continue
            try:
                msg = recv.recv()
            except (EOFError, OSError):  # the pipe closed without an answer: the child died
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    _stop(proc)
                raise ChildCrashed(stage, path, proc.returncode, _read_tail(log), fix) from None
            kind = msg[0]
            if kind == "progress":
                if progress is not None:
                    progress(*msg[1:])
                continue
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                _stop(proc)
            if kind == "result":
                return msg[1]
            if kind == "explained":
                raise _rebuild(*msg[1:])
            if kind == "cancelled":
                raise ConversionCancelled()
            _name, text, tb = msg[1], msg[2], msg[3]
            err = ConversionError(f"unexpected error while {stage}: {_name}: {text}", path,
                                  "please report this with the file that caused it", code="worker.unexpected")
            err.child_traceback = tb
            raise err
    except BaseException:
        if proc is not None:
            _stop(proc)
        raise
    finally:
        recv.close()
        log.close()
        if scratch_dir:
            remove_tree(scratch_dir)


if __name__ == "__main__":
    child_entry()
