"""The app's pull worker (app/gui/pull_worker.py) against a hostile Hub: Cancel stops a download
that drips bytes within about a second, and a broken answer reaches the user as words, not a
traceback."""

from __future__ import annotations

import time

import pytest

from tests.adversarial.test_hub_hostile_server import (  # noqa: F401 - fixtures
    SMALL,
    WEIGHTS,
    henv,
    hostile,
    hub_repos,
)

def _job(henv, qtbot):
    from app.gui.pull_worker import PullJob

    job = PullJob(SMALL, "q8_0", henv.models)
    seen = {"failed": [], "cancelled": 0, "finished": [], "ended": 0}
    job.failed.connect(seen["failed"].append)
    job.finished.connect(seen["finished"].append)
    job.cancelled.connect(lambda: seen.__setitem__("cancelled", seen["cancelled"] + 1))
    job.ended.connect(lambda: seen.__setitem__("ended", seen["ended"] + 1))
    return job, seen


def test_cancel_while_the_server_drips_bytes_stops_within_a_second(hostile, henv, qtbot):
    hostile.drip[WEIGHTS] = 0.2
    job, seen = _job(henv, qtbot)
    job.start()
    try:
        qtbot.waitUntil(hostile.stalled.is_set, timeout=60_000)
        t0 = time.monotonic()
        job.cancel()
        qtbot.waitUntil(lambda: seen["ended"] == 1, timeout=5_000)
        assert time.monotonic() - t0 < 2.0
    finally:
        hostile.release()
        job.wait(10_000)
    assert seen["cancelled"] == 1 and seen["failed"] == [] and seen["finished"] == []
    assert not henv.models.exists() or not list(henv.models.iterdir())


@pytest.mark.parametrize("shape", ["invalid json", "numeric sha"])
def test_broken_answer_reaches_the_user_without_a_traceback(hostile, henv, qtbot, shape):
    from app.gui.pull_worker import error_text

    if shape == "invalid json":
        hostile.api_raw[SMALL] = (200, b"{", {})
    else:
        hostile.repos[SMALL].info_hook = lambda d: {**d, "sha": 12345}
    job, seen = _job(henv, qtbot)
    job.start()
    try:
        qtbot.waitUntil(lambda: seen["ended"] == 1, timeout=60_000)
    finally:
        job.wait(10_000)
    assert len(seen["failed"]) == 1, seen
    text = error_text(SMALL, seen["failed"][0])
    assert SMALL in text and "Traceback" not in text and 'File "' not in text, text
    assert len(text) < 2000
