"""``hanashi chat`` streams text in batches: complete, in order, and Ctrl-C still stops a reply.

Runs the real demo model (assets/models/hanashi-demo.gguf) through the terminal chat and the
engine worker in batched mode.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import time

import pytest
from engine_helpers import ROOT

from app import cli_chat
from app.engine import CANCELLED, DONE, TEXT, ChatSession, Engine, EngineWorker

DEMO = ROOT / "assets" / "models" / "hanashi-demo.gguf"
MESSAGES = ["日本で一番高い山は?", "こんにちは", "おすすめの本はありますか?"]


class Recorder(io.StringIO):
    """A stdout that keeps each write apart, and can act on the first one."""

    def __init__(self, on_first_write=None):
        super().__init__()
        self.writes: list[str] = []
        self.on_first_write = on_first_write

    def write(self, text: str) -> int:
        self.writes.append(text)
        if len(self.writes) == 1 and self.on_first_write:
            self.on_first_write()
        return super().write(text)


def chat_args(*extra: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli_chat.add_arguments(parser)
    return parser.parse_args([str(DEMO), "--ctx", "512", "--threads", "1", *extra])


@pytest.fixture(scope="module")
def demo_engine():
    assert DEMO.is_file(), f"the demo model is missing: {DEMO}"
    engine = Engine.load(DEMO, n_ctx=512, threads=1)
    yield engine
    engine.close()


def test_batched_replies_print_exactly_the_replies_in_order(demo_engine):
    out = Recorder()
    chat = cli_chat.TerminalChat(chat_args("--temp", "0", "--max-tokens", "48"),
                                 stdin=io.StringIO("\n".join(MESSAGES) + "\n"), stdout=out, stderr=io.StringIO())
    assert chat.worker.batch_text == cli_chat.TEXT_BATCH_S
    assert chat.run() == 0
    session = ChatSession(demo_engine, "", {"temperature": 0, "max_new_tokens": 48})
    expected = [session.reply(m).text for m in MESSAGES]
    assert all(expected)
    assert out.getvalue() == "".join(text + "\n" for text in expected)
    # The streamed writes, joined, are the replies themselves: nothing lost, doubled or reordered.
    assert "".join(out.writes) == out.getvalue()


def test_text_waiting_for_the_reader_is_one_event_and_one_batch(demo_engine):
    worker = EngineWorker(batch_text=cli_chat.TEXT_BATCH_S)
    try:
        eos = demo_engine.runtime.eos()
        session = ChatSession(demo_engine, "", {"temperature": 0, "max_new_tokens": 64, "banned_token_ids": [eos]})
        job = worker.reply(session, "今日は")
        while worker.busy:  # the reader is away while the whole reply is written
            time.sleep(0.01)
        events = []
        while not worker.events.empty():
            events.append(worker.events.get_nowait())
        assert [(e.kind, e.job, e.text) for e in events] == [(TEXT, job, ""), (DONE, job, "")]
        result = events[-1].result
        assert result.n_generated > 5  # many tokens, one event
        batches: list[str] = []
        for event in events:  # put back, and read as the terminal chat does
            worker.events.put(event)
        assert worker.wait(job, on_text=batches.append, timeout=10).kind == DONE
        assert batches == [result.text] and result.text
        assert worker.text.take(job) == ""
    finally:
        worker.close()


def test_ctrl_c_stops_a_batched_reply(demo_engine):
    out = Recorder(on_first_write=lambda: os.kill(os.getpid(), signal.SIGINT))
    chat = cli_chat.TerminalChat(chat_args(), stdin=io.StringIO(""), stdout=out, stderr=io.StringIO())
    try:
        assert chat.load() == 0
        engine = chat.worker.engine
        # A raw continuation with end-of-sequence banned and no stop strings: it ends only when
        # stopped or when the context is full.
        params = engine.sampling(seed=3, max_new_tokens=100_000, banned_token_ids=[engine.runtime.eos()])
        previous = signal.getsignal(signal.SIGINT)
        job = chat.worker.submit(lambda on_text, cancel: engine.generate("今日は", params, on_text, cancel))
        event = chat._wait_reply(job)
        assert signal.getsignal(signal.SIGINT) is previous  # the chat's Ctrl-C handler is gone again
        assert event.kind == DONE
        result = event.result
        assert result.reason == CANCELLED  # stopped by Ctrl-C, not by the full context
        assert result.n_generated < engine.n_ctx - result.n_prompt_tokens
        assert out.getvalue() == result.text and result.text
        # The chat goes on: the next reply streams in full.
        out.on_first_write = None
        chat.session = ChatSession(engine, "", {"temperature": 0, "max_new_tokens": 8})
        again = chat._wait_reply(chat.worker.reply(chat.session, "明日は"))
        assert again.kind == DONE and again.result.reason != CANCELLED
        assert out.getvalue() == result.text + again.result.text
    finally:
        chat.worker.close()
