"""One window per profile: a second start hands its file to the running app and exits.

A profile is a data folder (``app.paths.data_dir``). The first start takes an exclusive lock on
``instance.lock`` in that folder (``flock``: the system drops it when the process ends, however it
ends, so a killed instance never blocks the next start) and listens on a local socket whose name
is derived from the folder's resolved path. It writes its pid and the socket's full path into the
lock file. A later start that finds the lock taken connects to that socket, sends its request
(``{"model": "/abs/path.gguf" or null}``) and exits; the running app brings its window forward
and opens the file.

    claim = claim_profile(folder, {"model": path})  # a ProfileLock, a Forwarded, or None
    if isinstance(claim, Forwarded): print(claim.line()), then exit with status 0
    server = InstanceServer(claim)  # with the lock held, once a QApplication exists
    server.set_handler(lambda request: ...)

The socket file is made private to the user (``UserAccessOption``) and lives in
``$XDG_RUNTIME_DIR`` when there is one. A socket left by a killed instance is removed by the next
instance that holds the lock: only the lock holder ever listens, so nothing else can be using it.
Where ``fcntl`` is missing (not a POSIX system) every start runs on its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtNetwork import QLocalServer, QLocalSocket

try:
    import fcntl
except ImportError:  # pragma: no cover - not a POSIX system
    fcntl = None

LOCK_NAME = "instance.lock"
ANSWER_TIMEOUT_S = 15.0  # how long a second start waits for the running app to answer
MAX_REQUEST = 64 * 1024  # a request is one short JSON line; anything longer is dropped
_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, 104 on macOS


class NotAnswering(Exception):
    """Another Hanashi holds the profile but did not answer in time."""


@dataclass(frozen=True)
class Forwarded:
    """The request went to the instance already running for the profile."""

    folder: Path
    pid: int | None
    model: str | None

    def line(self) -> str:
        who = f", pid {self.pid}" if self.pid else ""
        text = f"Hanashi is already running for this profile ({self.folder}{who}): its window was brought forward"
        return text + (f" and asked to open {self.model}." if self.model else ".")


class ProfileLock:
    """The exclusive lock on a profile, held for the life of the process (or until ``release``)."""

    def __init__(self, folder: Path, fd: int):
        self.folder, self.fd = folder, fd

    @classmethod
    def try_take(cls, folder: Path) -> ProfileLock | None:
        """The lock, or None when another process holds it. OSError when the file can't be made."""
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except OSError:
            os.close(fd)
            raise
        return cls(folder, fd)

    def record(self, server: str) -> None:
        """Write where this instance listens, for a later start to find."""
        data = json.dumps({"pid": os.getpid(), "server": server}).encode()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)

    def release(self) -> None:
        if self.fd >= 0:
            try:
                os.ftruncate(self.fd, 0)
            except OSError:
                pass
            os.close(self.fd)  # closing drops the lock
            self.fd = -1


def read_owner(folder: Path) -> dict:
    """What the lock holder recorded (``pid``, ``server``), or {} when nothing usable is there yet."""
    try:
        with open(folder / LOCK_NAME, "rb") as f:
            info = json.loads(f.read(4096) or b"{}")
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def server_name(folder: Path) -> str:
    """The socket path for a profile: a hash of the user and the folder's resolved path."""
    key = f"{os.getuid() if hasattr(os, 'getuid') else ''}:{folder.resolve()}"
    name = f"hanashi-{hashlib.sha256(key.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}.sock"
    for base in (_private_runtime_dir(), tempfile.gettempdir(), "/tmp"):
        if base and os.path.isdir(base) and len(os.path.join(base, name)) <= _MAX_SOCKET_PATH:
            return os.path.join(base, name)
    return name  # Qt puts a bare name in its own temp folder


def _private_runtime_dir() -> str | None:
    base = os.environ.get("XDG_RUNTIME_DIR")
    if not base or not hasattr(os, "getuid"):
        return None
    try:
        st = os.stat(base)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None
    return base


def send(server: str, request: dict, timeout_s: float) -> dict | None:
    """Send ``request`` to a running instance; its answer, or None when it can't be reached."""
    sock = QLocalSocket()
    sock.connectToServer(server)
    ms = max(1, int(timeout_s * 1000))
    if not sock.waitForConnected(ms):
        return None
    try:
        sock.write(json.dumps(request).encode() + b"\n")
        if not sock.waitForBytesWritten(ms):
            return None
        data = b""
        deadline = time.monotonic() + timeout_s
        while b"\n" not in data and time.monotonic() < deadline:
            if not sock.waitForReadyRead(max(1, int((deadline - time.monotonic()) * 1000))):
                break
            data += bytes(sock.readAll())
        try:
            answer = json.loads(data.split(b"\n", 1)[0])
        except ValueError:
            return None
        return answer if isinstance(answer, dict) and answer.get("ok") else None
    finally:
        sock.abort()


def claim_profile(folder: Path, request: dict, timeout_s: float = ANSWER_TIMEOUT_S) -> ProfileLock | Forwarded | None:
    """Become the profile's instance (the held lock), or hand ``request`` to the one that is.

    None where locks are not available (every start runs on its own). ``NotAnswering`` when
    another process holds the profile but did not take the request within ``timeout_s``;
    OSError when the lock file can't be made.
    """
    if fcntl is None:
        return None
    deadline = time.monotonic() + timeout_s
    while True:
        lock = ProfileLock.try_take(folder)
        if lock is not None:
            return lock
        owner = read_owner(folder)  # empty while the holder is still starting up
        server = owner.get("server")
        if isinstance(server, str) and server:
            answer = send(server, request, min(5.0, max(0.1, deadline - time.monotonic())))
            if answer is not None:
                pid = answer.get("pid")
                return Forwarded(folder, pid if isinstance(pid, int) else None, request.get("model"))
        if time.monotonic() > deadline:
            pid = owner.get("pid")
            who = f", pid {pid}" if isinstance(pid, int) else ""
            raise NotAnswering(
                f"Hanashi is already running for this profile ({folder}{who}) but did not answer within "
                f"{timeout_s:.0f} s. Wait until it responds and try again, or close it (if it is stuck, "
                "end that process); Hanashi does not open a second window on the same data folder.")
        time.sleep(0.1)


class InstanceServer(QObject):
    """Listens for later starts of the same profile; their requests go to the handler."""

    def __init__(self, lock: ProfileLock, parent: QObject | None = None):
        super().__init__(parent)
        self.handler: Callable[[dict], None] | None = None
        self.pending: list[dict] = []
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        name = server_name(lock.folder)
        QLocalServer.removeServer(name)  # a killed instance's socket: we hold the lock, it is stale
        self.listening = self.server.listen(name)
        self.error = "" if self.listening else self.server.errorString()
        if self.listening:
            lock.record(self.server.fullServerName())

    def set_handler(self, handler: Callable[[dict], None]) -> None:
        """Requests go to ``handler`` from now on (those that came earlier first)."""
        self.handler = handler
        pending, self.pending = self.pending, []
        for request in pending:
            handler(request)

    def close(self) -> None:
        self.server.close()  # removes the socket file

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            buffer = bytearray()
            timer = QTimer(conn)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda c=conn: c.abort())  # a client that never finishes its line
            timer.start(5000)
            conn.readyRead.connect(lambda c=conn, b=buffer: self._read(c, b))
            conn.disconnected.connect(conn.deleteLater)

    def _read(self, conn, buffer: bytearray) -> None:
        buffer += bytes(conn.readAll())
        if b"\n" not in buffer:
            if len(buffer) > MAX_REQUEST:
                conn.abort()
            return
        line = bytes(buffer).split(b"\n", 1)[0]
        buffer.clear()
        request = _parse(line)
        if request is None:
            conn.abort()
            return
        conn.write(json.dumps({"ok": True, "pid": os.getpid()}).encode() + b"\n")
        conn.flush()
        conn.disconnectFromServer()
        if self.handler is None:
            self.pending.append(request)
        else:
            self.handler(request)


def _parse(line: bytes) -> dict | None:
    """A request from another start: only the fields Hanashi knows, with the right types."""
    if len(line) > MAX_REQUEST:
        return None
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to be a request
        return None
    if not isinstance(data, dict):
        return None
    model = data.get("model")
    if model is not None and (not isinstance(model, str) or not model or "\0" in model):
        return None
    return {"model": model}

