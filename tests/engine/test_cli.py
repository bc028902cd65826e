"""``hanashi chat``: scripted through a pipe, and interactive through a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import time

import pytest
from engine_helpers import PYTHON, ROOT, hanashi_env, run_hanashi

from app.__main__ import main
from app.engine import ChatSession, Engine
from app.formats import Turn

MESSAGES = ["日本で一番高い山は?", "おすすめの本はありますか?", "/reset", "こんにちは"]


@pytest.mark.parametrize("fixture", ["rinna_gguf", "dolly_gguf", "base_gguf"])
def test_scripted_chat_prints_one_reply_per_message(request, fixture):
    path = request.getfixturevalue(fixture)
    proc = run_hanashi("chat", str(path), "--temp", "0", "--max-tokens", "24", "--ctx", "512", "--threads", "1",
                       stdin="\n".join(MESSAGES) + "\n")
    assert proc.returncode == 0, proc.stderr
    # The same conversation in-process gives the same replies (greedy decoding is deterministic).
    with Engine.load(path, n_ctx=512, threads=1) as engine:
        session = ChatSession(engine, "", {"temperature": 0, "max_new_tokens": 24})
        expected = []
        for message in MESSAGES:
            if message == "/reset":
                session.reset()
            else:
                expected.append(session.reply(message).text)
    assert proc.stdout == "".join(text + "\n" for text in expected)
    assert "Loading" in proc.stderr and engine.family in proc.stderr
    if fixture == "base_gguf":
        assert "Completion mode" in proc.stderr


def test_persona_and_settings_reach_the_session(rinna_gguf, tmp_path):
    persona = tmp_path / "persona.txt"
    persona.write_text("User: あなたは猫です。\nAssistant: にゃー。", encoding="utf-8")
    proc = run_hanashi("chat", str(rinna_gguf), "--persona", str(persona), "--temp", "0", "--seed", "4",
                       "--max-tokens", "12", "--ctx", "512", "--threads", "1", "--stats", stdin="こんにちは\n")
    assert proc.returncode == 0, proc.stderr
    stats = re.search(r"\[(\d+) tokens, .* prompt (\d+)/(\d+) evaluated", proc.stderr)
    assert stats and int(stats.group(1)) <= 12
    with Engine.load(rinna_gguf, n_ctx=512) as engine:
        persona_turns = ChatSession(engine, persona.read_text(encoding="utf-8")).persona
        assert [t.role for t in persona_turns] == ["user", "assistant"]
        prompt = engine.format.render(persona_turns, [Turn("user", "こんにちは")])
        assert int(stats.group(3)) == engine.count_tokens(prompt)


@pytest.mark.parametrize("args,message", [
    (["chat", "/nonexistent/model.gguf"], "no such model file"),
    (["chat", "{readme}"], "not a GGUF file"),
    (["chat", "{model}", "--persona", "/nonexistent/persona.txt"], "cannot read the persona file"),
    (["chat", "{model}", "--temp", "-1"], "invalid sampling settings"),
])
def test_bad_input_is_a_message_not_a_traceback(rinna_gguf, args, message):
    args = [a.format(readme=ROOT / "pyproject.toml", model=rinna_gguf) for a in args]
    proc = run_hanashi(*args, stdin="")
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_help_lists_the_chat_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "chat" in capsys.readouterr().out


# ---------------------------------------------------------------- a real terminal


class Terminal:
    """The chat running on a pseudo-terminal, as a person would use it."""

    def __init__(self, *args: str):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the pty is its controlling terminal
            os.chdir(ROOT)
            os.execve(PYTHON, [PYTHON, "-m", "app", *args], hanashi_env())
        self.output = ""

    def expect(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(pattern, self.output)
            if match:
                self.output = self.output[match.end():]
                return match
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {pattern!r} in terminal output: {self.output[-2000:]!r}")
            ready, _, _ = select.select([self.fd], [], [], min(remaining, 0.5))
            if ready:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise AssertionError(f"the chat ended; output: {self.output[-2000:]!r}")
                self.output += data.decode("utf-8", "replace")

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode("utf-8"))

    def wait(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.read(self.fd, 4096)  # drain, so the child is never blocked writing
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError("the chat did not exit")


def test_ctrl_c_stops_a_reply_and_the_chat_goes_on(endless_gguf):
    term = Terminal("chat", str(endless_gguf), "--max-tokens", "100000", "--ctx", "2048", "--threads", "1")
    term.expect("Completion mode")
    term.expect(r"text> ")
    term.send("今日、\r")
    term.expect(r"…\s*\S")  # the reply has started streaming
    term.send("\x03")  # Ctrl-C
    term.expect(r"\[stopped\]")
    term.expect(r"text> ")  # still chatting
    # Pause as a person would: a signal that lands between the prompt being printed and
    # readline waiting for a key is only noticed at the next key (a race in Python's input()).
    time.sleep(0.5)
    term.send("\x03")  # Ctrl-C at the prompt does not leave either
    term.expect(r"/exit")
    term.expect(r"text> ")
    term.send("/reset\r")
    term.expect(r"\(conversation cleared\)")
    term.send("/exit\r")
    assert term.wait() == 0


def test_a_chat_reply_streams_on_the_terminal(rinna_gguf):
    term = Terminal("chat", str(rinna_gguf), "--temp", "0", "--max-tokens", "16", "--threads", "1")
    term.expect(r"rinna-instruction format, CPU")
    term.expect(r"you> ")
    term.send("日本で一番高い山は?\r")
    term.expect(r"ai> ")
    term.expect(r"you> ")
    term.send("\x04")  # Ctrl-D leaves
    assert term.wait() == 0
