"""The background worker: streamed events, stopping a reply from another thread, errors as events."""

from __future__ import annotations

import queue

import pytest
from engine_helpers import EOS_ID

from app.engine import (CANCELLED, DONE, ERROR, TEXT, ChatSession, Engine, EngineWorker, ModelNotFoundError)
from app.formats import MessageTooLongError, Turn


@pytest.fixture
def worker():
    w = EngineWorker()
    yield w
    w.close()


def test_a_reply_streams_as_text_events_then_done(worker, rinna_engine):
    session = ChatSession(rinna_engine, "", {"seed": 5, "max_new_tokens": 24, "banned_token_ids": [EOS_ID]})
    pieces: list[str] = []
    event = worker.wait(worker.reply(session, "おすすめの本はありますか?"), on_text=pieces.append, timeout=60)
    assert event.kind == DONE
    assert event.result.text == "".join(pieces) and event.result.n_generated > 0
    assert session.turns[-1] == Turn("assistant", event.result.text)
    assert not worker.busy


def test_stop_mid_reply_keeps_the_partial_text(worker, endless_gguf):
    job = worker.load(endless_gguf, n_ctx=2048, threads=1)
    loaded = worker.wait(job, timeout=60)
    assert loaded.kind == DONE and isinstance(loaded.result, Engine) and worker.engine is loaded.result
    session = ChatSession(worker.engine, "", {"max_new_tokens": 100_000, "seed": 1})
    job = worker.reply(session, "今日、")
    first = worker.events.get(timeout=60)
    assert first.kind == TEXT and first.job == job
    assert worker.stop(wait=30)  # from this (another) thread; returns once the worker is idle
    pieces = [first.text]
    done = worker.wait(job, on_text=pieces.append, timeout=30)
    assert done.kind == DONE
    result = done.result
    assert result.reason == CANCELLED and result.cancelled
    assert result.text == "".join(pieces) and result.text
    assert 0 < result.n_generated < worker.engine.n_ctx - result.n_prompt_tokens
    assert session.turns == [Turn("user", "今日、"), Turn("assistant", result.text)]
    # The next reply works normally.
    session.sampling["max_new_tokens"] = 5
    again = worker.wait(worker.reply(session, "明日、"), timeout=60)
    assert again.kind == DONE and again.result.n_generated == 5


def test_errors_arrive_as_events_and_the_worker_goes_on(worker, rinna_engine, tmp_path):
    missing = worker.wait(worker.load(tmp_path / "missing.gguf"), timeout=30)
    assert missing.kind == ERROR and isinstance(missing.error, ModelNotFoundError)
    session = ChatSession(rinna_engine, "")
    too_long = worker.wait(worker.reply(session, "長い文章です。" * 2000), timeout=60)
    assert too_long.kind == ERROR and isinstance(too_long.error, MessageTooLongError)
    assert session.turns == []
    ok = worker.wait(worker.submit(lambda on_text, cancel: on_text("x") or 42), timeout=30)
    assert ok.kind == DONE and ok.result == 42


def test_events_can_go_to_a_callback_instead(rinna_engine):
    received = queue.Queue()
    w = EngineWorker(on_event=received.put)
    try:
        session = ChatSession(rinna_engine, "", {"seed": 1, "max_new_tokens": 8, "banned_token_ids": [EOS_ID]})
        job = w.reply(session, "こんにちは")
        kinds, text = [], ""
        while True:
            event = received.get(timeout=60)
            assert event.job == job
            kinds.append(event.kind)
            if event.kind == TEXT:
                text += event.text
            else:
                break
        assert kinds[-1] == DONE and event.result.text == text
        assert w.events.empty()
    finally:
        w.close()
