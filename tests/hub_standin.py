"""A local stand-in for the Hugging Face Hub: real HTTP on 127.0.0.1, repositories made of folders.

It speaks the part of the Hub's protocol that ``huggingface_hub`` uses to list and download a
model repository:

- ``GET /api/models/ORG/NAME[/revision/REV]`` — the repo's info: ``id``, ``sha`` (its commit),
  ``siblings`` (``rfilename``; with ``?blobs=true`` also ``size``, ``blobId`` and ``lfs``);
- ``GET /api/models/ORG/NAME/tree/REV[/PATH]`` and ``POST /api/models/ORG/NAME/paths-info/REV``;
- ``HEAD``/``GET /ORG/NAME/resolve/REV/PATH`` — the file, with ``X-Repo-Commit``, ``ETag`` /
  ``X-Linked-Etag`` (the LFS sha256, or the git blob id of a small file), ``X-Linked-Size``,
  ``Content-Length``, ``Accept-Ranges`` and ``Range: bytes=N-`` answered with 206;
- errors as the Hub sends them: ``X-Error-Code`` ``RepoNotFound`` / ``GatedRepo`` /
  ``RevisionNotFound`` / ``EntryNotFound`` with an ``X-Error-Message``.

Knobs for tests: gated repos (401 without the repo's token, 403 with a wrong one), files whose
listed size is not their real one (``Repo.listed_sizes``, to exercise free-space checks),
``corrupt`` (the next body of these files has a wrong first byte: once), ``cut_after[name] = n``
(send the whole file's headers, then n bytes, then close the connection: once),
``stall_after[name] = n`` (send n bytes, then wait until ``release()`` or ``stop()``, then close:
once), CDN-style redirects of LFS files (``lfs_redirect``), and per-file counters of requests
and body bytes served (``stats(repo, name)``).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.hub.standin_repo import (
    Repo,
    RepoFile,
    closed_port_url,
    commit_for,
    hub_env,
    hub_vars,
)

__all__ = ["HubStandIn", "FileStats", "Repo", "RepoFile", "closed_port_url", "commit_for", "hub_env",
           "hub_vars"]

_CHUNK = 1 << 16


@dataclass
class FileStats:
    heads: int = 0
    gets: int = 0
    bytes: int = 0  # body bytes sent by GETs
    ranges: list[str] = field(default_factory=list)  # each GET's Range header ("" when none)
    sent: list[int] = field(default_factory=list)  # body bytes sent by each GET


class HubStandIn:
    """The server. ``with HubStandIn() as hub: hub.add(...)``; ``hub.url`` is the ``HF_ENDPOINT``."""

    def __init__(self, *, missing_status: int = 404, lfs_redirect: bool = False):
        self.repos: dict[str, Repo] = {}
        self.missing_status = missing_status  # the Hub answers 401 to anonymous requests for missing repos
        self.lfs_redirect = lfs_redirect  # LFS files answered with a 302 to a "CDN" host (localhost)
        self.cut_after: dict[str, int] = {}
        self.stall_after: dict[str, int] = {}
        self.corrupt: set[str] = set()  # files whose next GET body has its first byte changed (once)
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self._stats: dict[tuple[str, str], FileStats] = {}
        self._lock = threading.Lock()
        self._release = threading.Event()
        self.stalled = threading.Event()  # set when a stalled response has sent its bytes and waits
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hub-standin", daemon=True)
        self._thread.start()

    # -- repositories -------------------------------------------------------------------------
    def add(self, repo_id: str, folder: Path, **kw) -> Repo:
        repo = Repo(repo_id, folder, **kw)
        self.repos[repo_id] = repo
        return repo

    # -- counters -----------------------------------------------------------------------------
    def stats(self, repo_id: str, name: str) -> FileStats:
        with self._lock:
            return self._stats.setdefault((repo_id, name), FileStats())

    def bytes_served(self, repo_id: str, names=None) -> int:
        with self._lock:
            return sum(s.bytes for (r, n), s in self._stats.items()
                       if r == repo_id and (names is None or n in names))

    def fetched(self, repo_id: str) -> set[str]:
        """Names of the files of this repo that a GET asked for."""
        with self._lock:
            return {n for (r, n), s in self._stats.items() if r == repo_id and s.gets}

    def reset_counters(self) -> None:
        with self._lock:
            self._stats.clear()
            self.requests.clear()

    def _count(self, repo_id: str, name: str, method: str, rng: str = "") -> FileStats:
        with self._lock:
            s = self._stats.setdefault((repo_id, name), FileStats())
            if method == "HEAD":
                s.heads += 1
            else:
                s.gets += 1
                s.ranges.append(rng)
                s.sent.append(0)
            return s

    def _sent(self, s: FileStats, n: int) -> None:
        with self._lock:
            s.bytes += n
            s.sent[-1] += n

    # -- control ------------------------------------------------------------------------------
    def release(self) -> None:
        """Let stalled responses end (they close their connection)."""
        self._release.set()

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> "HubStandIn":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def env(self, root: Path, token: str | None = None, offline: bool = False) -> dict[str, str]:
        """Environment for a subprocess that uses this Hub, with its caches and data under ``root``."""
        return hub_env(self.url, root, token=token, offline=offline)


def _handler_for(hub: HubStandIn):
    class Handler(_Handler):
        pass

    Handler.hub = hub
    return Handler


class _Handler(BaseHTTPRequestHandler):
    hub: HubStandIn
    protocol_version = "HTTP/1.1"
    timeout = 60

    def log_message(self, *args) -> None:  # quiet
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionResetError, BrokenPipeError, TimeoutError):
            pass  # the client went away (a killed download, a closed keep-alive connection)

    # -- plumbing -----------------------------------------------------------------------------
    def _send(self, status: int, body: bytes = b"", headers: dict | None = None,
              content_type: str = "application/json") -> None:
        self.hub.requests.append((self.command, self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data, headers: dict | None = None) -> None:
        self._send(status, json.dumps(data).encode(), headers)

    def _error(self, status: int, code: str | None, message: str, headers: dict | None = None) -> None:
        h = {"X-Error-Message": message, **(headers or {})}
        if code:
            h["X-Error-Code"] = code
        self._json(status, {"error": message}, h)

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization") or ""
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None

    def _repo(self, repo_id: str) -> Repo | None:
        repo = self.hub.repos.get(repo_id)
        if repo is None:
            self._error(self.hub.missing_status, "RepoNotFound", "Repository not found")
        return repo

    def _commit(self, repo: Repo, revision: str) -> str | None:
        commit = repo.resolve(revision)
        if commit is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        return commit

    def _gate(self, repo: Repo) -> bool:
        """True when the request may read the repo's files (else the error is sent)."""
        if not repo.gated:
            return True
        token = self._token()
        if token == repo.token:
            return True
        if token is None:
            self._error(401, "GatedRepo", f"Access to model {repo.repo_id} is restricted. You must have access "
                        "to it and be authenticated to access it. Please log in.")
        else:
            self._error(403, "GatedRepo", f"Access to model {repo.repo_id} is restricted and you are not in "
                        f"the authorized list. Visit {self.hub.url}/{repo.repo_id} to ask for access.")
        return False

    # -- routes -------------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self._route()

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        try:
            url = urlsplit(self.path)
            path, query = url.path, parse_qs(url.query)
            if path.startswith("/api/models/"):
                self._api(path[len("/api/models/"):], query)
            elif path.startswith("/cdn/"):
                self._cdn(path[len("/cdn/"):])
            elif "/resolve/" in path:
                repo_part, _, rest = path.lstrip("/").partition("/resolve/")
                revision, _, name = rest.partition("/")
                self._resolve(unquote(repo_part), unquote(revision), unquote(name))
            else:
                self._error(404, None, "Not found")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _api(self, rest: str, query: dict) -> None:
        if self.command == "POST":
            repo_id, _, revision = rest.partition("/paths-info/")
            repo = self._repo(unquote(repo_id))
            if repo is None or (commit := self._commit(repo, unquote(revision))) is None:
                return
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            wanted = form.get("paths", [])
            self._json(200, [repo.tree_entry(f) for n, f in repo.files.items() if n in wanted])
            return
        for marker in ("/tree/", "/revision/"):
            if marker in rest:
                repo_id, _, tail = rest.partition(marker)
                break
        else:
            repo_id, marker, tail = rest, "", "main"
        repo = self._repo(unquote(repo_id))
        if repo is None:
            return
        revision, _, sub = tail.partition("/")
        commit = self._commit(repo, unquote(revision))
        if commit is None:
            return
        if marker == "/tree/":
            sub = unquote(sub).strip("/")
            recursive = (query.get("recursive") or ["false"])[0].lower() == "true"
            entries, folders = [], set()
            for name, f in repo.files.items():
                if sub and not name.startswith(sub + "/"):
                    continue
                rel = name[len(sub) + 1:] if sub else name
                if "/" in rel and not recursive:
                    folders.add((sub + "/" if sub else "") + rel.split("/")[0])
                    continue
                entries.append(repo.tree_entry(f))
            entries += [{"type": "directory", "oid": hashlib.sha1(d.encode()).hexdigest(), "size": 0, "path": d}
                        for d in sorted(folders)]
            self._json(200, entries)
            return
        blobs = (query.get("blobs") or ["false"])[0].lower() == "true"
        self._json(200, repo.info(commit, blobs))

    def _resolve(self, repo_id: str, revision: str, name: str) -> None:
        repo = self._repo(repo_id)
        if repo is None:
            return
        commit = self._commit(repo, revision)
        if commit is None or not self._gate(repo):
            return
        f = repo.files.get(name)
        if f is None:
            self._error(404, "EntryNotFound", f"{name} does not exist on \"{revision}\"",
                        {"X-Repo-Commit": commit})
            return
        headers = {"X-Repo-Commit": commit, "ETag": f'"{f.etag}"', "Accept-Ranges": "bytes"}
        if f.lfs:
            headers.update({"X-Linked-Etag": f'"{f.sha256}"', "X-Linked-Size": str(repo.listed_size(f))})
        if f.lfs and self.hub.lfs_redirect:
            location = f"http://localhost:{self.hub.port}/cdn/{quote(repo.repo_id, safe='')}/{f.sha256}"
            if self.command == "HEAD":
                self.hub._count(repo.repo_id, f.name, "HEAD")
            self._send(302, b"", {**headers, "Location": location})
            return
        self._file(repo, f, headers)

    def _cdn(self, rest: str) -> None:
        repo_id, _, sha256 = rest.partition("/")
        repo = self.hub.repos.get(unquote(repo_id))
        f = next((f for f in repo.files.values() if f.sha256 == sha256), None) if repo else None
        if f is None:
            self._send(404, b"NoSuchKey", content_type="text/plain")
            return
        self._file(repo, f, {"ETag": f'"{f.sha256}"', "Accept-Ranges": "bytes"})

    def _file(self, repo: Repo, f: RepoFile, headers: dict) -> None:
        """Send a file (or the part a ``Range: bytes=N-`` asks for), honouring cut/stall knobs."""
        hub = self.hub
        rng = self.headers.get("Range") or ""
        stats = hub._count(repo.repo_id, f.name, self.command, rng)
        start, status = 0, 200
        if rng:
            spec = rng.strip()
            if not spec.startswith("bytes=") or "," in spec:
                self._error(416, None, f"unsupported range {rng!r}")
                return
            first, _, last = spec[6:].partition("-")
            start = int(first or 0)
            end = int(last) if last else f.size - 1
            if start >= f.size or end < start:
                self._send(416, b"", {"Content-Range": f"bytes */{f.size}"}, content_type="text/plain")
                return
            status = 206
            headers = {**headers, "Content-Range": f"bytes {start}-{end}/{f.size}"}
            length = end - start + 1
        else:
            length = f.size if self.command != "HEAD" else repo.listed_size(f)
        hub.requests.append((self.command, self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        limit = length
        cut = stall = flip = False
        with hub._lock:
            if f.name in hub.corrupt:
                hub.corrupt.discard(f.name)
                flip = True
            if f.name in hub.cut_after:
                limit, cut = min(length, hub.cut_after.pop(f.name)), True
            elif f.name in hub.stall_after:
                limit, stall = min(length, hub.stall_after.pop(f.name)), True
        with open(f.path, "rb") as src:
            src.seek(start)
            left = limit
            while left > 0:
                chunk = src.read(min(_CHUNK, left))
                if not chunk:
                    break
                if flip:
                    chunk, flip = bytes([chunk[0] ^ 0xFF]) + chunk[1:], False
                self.wfile.write(chunk)
                hub._sent(stats, len(chunk))
                left -= len(chunk)
        self.wfile.flush()
        if stall:
            hub.stalled.set()
            hub._release.wait(120)
        if cut or stall:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
