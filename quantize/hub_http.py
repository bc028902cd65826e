"""Bounded requests to the Hub over ``huggingface_hub``'s own HTTP session.

The session (proxies, certificates, user agent) and the error classes (``hf_raise_for_status``:
repository not found, gated, revision not found …) are the Hub client's. What is Hanashi's is
the bounds a hostile or broken server cannot get past:

* a listing answer larger than ``JSON_LIMIT`` is refused; every request has a timeout;
* a file body is written only up to its listed size, read as it arrives, on a reader thread, so a
  cancel is seen within ``POLL`` seconds even while the server stalls or drips bytes;
* a dropped connection or a stall resumes with an HTTP Range request, a few times, then stops
  with a clear error; a rate limit (429/503 with ``Retry-After``) is waited out only when short.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable

from .errors import ConversionCancelled
from .hub_errors import HubError

JSON_LIMIT = 64 << 20
POLL = 0.05
MAX_WAIT = 30.0  # the longest Retry-After waited out
ATTEMPTS = 6  # tries without progress before a file download gives up
BUSY_ATTEMPTS = 4  # answers of 429/5xx before it gives up (waits of 1, 2, 4 s, or Retry-After)
_ERROR_BODY = 64 << 10


def timeout_of(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        value = default
    return max(0.5, min(value, 600.0))


def _raise_for(response, body: bytes) -> None:
    """The Hub client's error for a failed response (whose body was read up to a bound)."""
    from huggingface_hub.utils import hf_raise_for_status

    copy = type(response)(response.status_code, headers=response.headers, content=body, request=response.request)
    hf_raise_for_status(copy)


def _read_some(response, limit: int) -> bytes:
    out = bytearray()
    for chunk in response.iter_bytes():
        out += chunk
        if len(out) > limit:
            break
    return bytes(out[:limit])


def get_json(url: str, headers: dict, params: dict | None, what: str):
    """GET a JSON answer of at most ``JSON_LIMIT`` bytes, with the listing timeout."""
    import json

    from huggingface_hub.utils import get_session

    read = timeout_of("HF_HUB_ETAG_TIMEOUT", 10)
    with get_session().stream("GET", url, headers=headers, params=params, timeout=read,
                              follow_redirects=True) as r:
        if r.status_code >= 400:
            _raise_for(r, _read_some(r, _ERROR_BODY))
        declared = r.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > JSON_LIMIT:
            raise HubError("network", f"the Hub's answer about {what} is {int(declared) >> 20} MiB, more than "
                           f"{JSON_LIMIT >> 20} MiB", url, "check HF_ENDPOINT: it must be the Hub or a mirror of it")
        body = _read_some(r, JSON_LIMIT + 1)
    if len(body) > JSON_LIMIT:
        raise HubError("network", f"the Hub's answer about {what} is larger than {JSON_LIMIT >> 20} MiB", url,
                       "check HF_ENDPOINT: it must be the Hub or a mirror of it")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise HubError("network", f"the Hub's answer about {what} is not valid JSON", url,
                       "check HF_ENDPOINT: it must be the Hub or a mirror of it") from None


class _Reader(threading.Thread):
    """Reads one response body into the part file, never past ``size`` bytes in all."""

    def __init__(self, response, part: Path, have: int, size: int):
        super().__init__(daemon=True, name="hanashi-download")
        self.response, self.part, self.have, self.size = response, part, have, size
        self.got = 0  # bytes written by this reader
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.too_long = False

    def run(self) -> None:
        try:
            with open(self.part, "ab") as out:
                for chunk in self.response.iter_bytes():
                    if self.stop.is_set():
                        return
                    room = self.size - self.have - self.got
                    if len(chunk) > room:
                        out.write(chunk[:room])
                        self.got += room
                        self.too_long = True
                        return
                    out.write(chunk)
                    self.got += len(chunk)
        except BaseException as e:  # noqa: BLE001 - handed to the waiting thread
            self.error = e


def _wait(seconds: float, cancelled) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cancelled is not None and cancelled():
            raise ConversionCancelled()
        time.sleep(min(POLL, max(0.0, end - time.monotonic())))


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def download(url: str, headers: dict, part: Path, name: str, size: int, on_bytes: Callable[[int], None],
             cancelled: Callable[[], bool] | None) -> None:
    """Bring ``part`` to ``size`` bytes from ``url``, resuming from what it holds.

    Raises ConversionCancelled (the part stays), HubError for what the server did, and the Hub
    client's own errors (hf_raise_for_status) for 4xx answers; a body longer than listed raises
    ValueError after writing nothing past ``size``.
    """
    from huggingface_hub.utils import get_session

    read = timeout_of("HF_HUB_DOWNLOAD_TIMEOUT", 10)
    fails = busy = 0
    while True:
        have = part.stat().st_size if part.exists() else 0
        if have >= size:
            return
        h = dict(headers)
        if have:
            h["Range"] = f"bytes={have}-"
        progressed = False
        try:
            with get_session().stream("GET", url, headers=h, timeout=read, follow_redirects=True) as r:
                if r.status_code in (429, 503) or r.status_code >= 500:
                    wait = _retry_after(r)
                    if r.status_code == 429 and wait is not None and wait > MAX_WAIT:
                        raise HubError("network", f"the Hub asks to wait {wait:.0f} s before {name} can be "
                                       "downloaded (rate limit)", url, "try again later: the download resumes")
                    busy += 1
                    if busy >= BUSY_ATTEMPTS:
                        raise HubError("network", f"the Hub answered {r.status_code} for {name}, "
                                       f"{BUSY_ATTEMPTS} times", url, "try again later: the download resumes")
                    _wait(min(wait if wait is not None else 2.0 ** (busy - 1), MAX_WAIT), cancelled)
                    continue
                if r.status_code == 416 and have:  # nothing from `have` on: the file is shorter than listed
                    part.unlink(missing_ok=True)
                    raise ValueError(f"{name}: the Hub's file ends before the {size} bytes it lists")
                if r.status_code >= 400:
                    _raise_for(r, _read_some(r, _ERROR_BODY))
                if have and r.status_code == 200:  # the server ignored the range: start again
                    part.unlink(missing_ok=True)
                    have = 0
                elif have and r.status_code == 206:
                    start = r.headers.get("Content-Range", "").removeprefix("bytes ").split("-")[0]
                    if start != str(have):
                        raise HubError("network", f"the Hub resumed {name} at the wrong place ({start!r} instead "
                                       f"of {have})", url, "try again later")
                reader = _Reader(r, part, have, size)
                reader.start()
                reported = 0
                try:
                    while reader.is_alive():
                        reader.join(POLL)
                        if reader.got > reported:
                            on_bytes(reader.got - reported)
                            reported = reader.got
                        if cancelled is not None and cancelled():
                            raise ConversionCancelled()
                finally:
                    reader.stop.set()
                if reader.got > reported:
                    on_bytes(reader.got - reported)
                progressed = reader.got > 0
                if reader.too_long:
                    part.unlink(missing_ok=True)
                    raise ValueError(f"{name}: the Hub sent more than the {size} bytes it lists")
                if reader.error is not None:
                    raise reader.error
        except (ConversionCancelled, HubError, ValueError):
            raise
        except Exception as e:  # noqa: BLE001 - a dropped connection or a stall: resume, a few times
            if not _transient(e):
                raise
            if cancelled is not None and cancelled():
                raise ConversionCancelled() from None
            fails = 0 if progressed else fails + 1
            if fails >= ATTEMPTS:
                raise HubError("network", f"the download of {name} keeps failing ({type(e).__name__}: "
                               f"{str(e)[:120]})", url, "check the connection and pull again: the download "
                               "resumes where it stopped") from None
            _wait(min(2.0 ** fails / 4, 4.0), cancelled)
            continue
        fails = 0 if progressed else fails + 1
        if part.exists() and part.stat().st_size < size and fails >= ATTEMPTS:
            got = part.stat().st_size
            part.unlink(missing_ok=True)
            raise ValueError(f"{name}: the Hub sent {got} bytes, it lists {size}")


def _transient(e: BaseException) -> bool:
    module = type(e).__module__ or ""
    return module.startswith(("httpx", "httpcore", "h11")) or isinstance(e, (ConnectionError, TimeoutError))
