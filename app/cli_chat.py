"""``hanashi chat MODEL.gguf``: a conversation in the terminal, streamed as the model writes.

At a terminal: type a message and press Enter; Ctrl-C stops a reply (the conversation goes on),
``/reset`` starts over, ``/exit`` or Ctrl-D leaves. With stdin not a terminal, each input line is
one message and each reply is printed on stdout, so the chat can be scripted; messages about the
model go to stderr.

``--save`` keeps the conversation in the desktop app's database (``app.cli_save``): a new
conversation, titled by the first message, or with ``--save ID`` conversation ID continued (its
messages are the context). The app may be open on the same database at the same time.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from app import gpu_status
from app.cli_save import SavedChat, SaveRefused
from app.export_cli import conversation_id_arg
from app.formats import MessageTooLongError
from app.local_files import describe_os_error, read_small

from .engine import (CANCELLED, DONE, ERROR, ChatSession, EngineError, EngineWorker,
                     ModelLoadError)

COMMANDS = "/reset clears the conversation, /exit leaves"
# Streamed text reaches the terminal in batches, at most one write per this many seconds: a fast
# model then costs one wake-up and one write per batch rather than per token.
TEXT_BATCH_S = 0.03
PERSONA_MAX_BYTES = 1 << 20
NEW = 0  # --save without an id (ids start at 1)


def gpu_layers_arg(text: str) -> str:
    word = text.strip().lower()
    if word in ("auto", "all"):
        return word
    try:
        if int(word) < 0:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError("use auto, all or a number of layers (0 = CPU only)") from None
    return word


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="a .gguf model file (converted by hanashi-quantize, or any llama.cpp GGUF)")
    p.add_argument("--persona", metavar="FILE", help="a text file with the persona (User:/Assistant: lines)")
    p.add_argument("--temp", type=float, metavar="T", help="sampling temperature (0 = greedy); default: the model card's")
    p.add_argument("--max-tokens", type=int, metavar="N", help="longest reply in tokens; default: the model card's")
    p.add_argument("--seed", type=int, metavar="N", help="random seed, for replies that repeat exactly")
    p.add_argument("--gpu-layers", type=gpu_layers_arg, default="auto", metavar="auto|N|all",
                   help="layers to run on the GPU (default: auto, as many as fit)")
    p.add_argument("--ctx", type=int, metavar="N", help="context size in tokens (default: the model's, at most 4096)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="CPU threads (default: the physical cores other programs leave free, looked at before each reply)")
    p.add_argument("--stats", action="store_true", help="print token counts and speed after each reply")
    p.add_argument("--save", nargs="?", const=NEW, type=conversation_id_arg, metavar="ID",
                   help="keep the conversation in the desktop app's database (a new one, titled by the first "
                   "message); with ID, continue that conversation (`hanashi export --list` shows the ids)")


class TerminalChat:
    def __init__(self, args: argparse.Namespace, stdin=None, stdout=None, stderr=None):
        self.args = args
        self.stdin = stdin or sys.stdin
        self.out = stdout or sys.stdout
        self.err = stderr or sys.stderr
        self.interactive = self.stdin.isatty()
        self.worker = EngineWorker(batch_text=TEXT_BATCH_S)
        self.session: ChatSession | None = None
        self.saved: SavedChat | None = None
        self.persona = ""

    def say(self, text: str = "", to_err: bool = False) -> None:
        stream = self.err if to_err or not self.interactive else self.out
        print(text, file=stream, flush=True)

    # ------------------------------------------------------------ setup

    def load(self) -> int:
        a = self.args
        persona = ""
        if a.persona:
            try:  # a pipe or a device never blocks the chat, a huge file is refused
                persona = read_small(Path(a.persona), PERSONA_MAX_BYTES).decode("utf-8")
            except (OSError, UnicodeDecodeError) as e:
                why = describe_os_error(e) if isinstance(e, OSError) else "it is not UTF-8 text"
                self.say(f"hanashi: cannot read the persona file {a.persona}: {why}", to_err=True)
                return 2
        warning = gpu_status.ignored_layers_warning(a.gpu_layers)
        if warning:
            self.say(warning, to_err=True)
        self.say(f"Loading {a.model} …", to_err=True)
        job = self.worker.load(a.model, gpu_layers=a.gpu_layers, n_ctx=a.ctx, threads=a.threads)
        event = self.worker.wait(job)
        if event.kind == ERROR:
            if isinstance(event.error, (ModelLoadError, ValueError)):
                self.say(f"hanashi: {event.error}", to_err=True)
                return 2
            raise event.error
        engine = event.result
        sampling = {"temperature": a.temp, "max_new_tokens": a.max_tokens, "seed": a.seed}
        turns = []
        if getattr(a, "save", None) is not None:
            self.saved = SavedChat(a.model, engine.name, lambda text: self.say(text, to_err=True))
            try:
                opened = self.saved.open(None if a.save == NEW else a.save, persona, sampling)
            except SaveRefused as e:
                self.say(f"hanashi: {e}", to_err=True)
                return 2
            if opened is not None:
                persona, sampling, turns = opened
        try:
            engine.sampling(sampling)
        except ValueError as e:
            self.say(f"hanashi: {e}", to_err=True)
            return 2
        self.persona = persona
        self.session = ChatSession(engine, persona, sampling, turns)
        if self.saved is not None and self.saved.saving:
            held = f", {len(turns)} messages so far" if turns else ""
            self.say(f"Saving to {self.saved.where()}{held}; "
                     f"continue it later with --save {self.saved.conversation_id}")
        self.say(f"{engine.name}: {engine.family} format, {engine.backend}, context {engine.n_ctx} tokens")
        for note in engine.notes:
            self.say(f"Note: {note}")
        if engine.completion:
            self.say("Completion mode: this is a base model, so it continues the text you type.")
        if self.interactive:
            self.say(f"Type a message and press Enter. Ctrl-C stops a reply; {COMMANDS}.")
        return 0

    # ------------------------------------------------------------ turns

    def _wait_reply(self, job: int):
        """Stream the job's text; Ctrl-C (SIGINT) stops the reply instead of leaving."""
        previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, lambda *_: self.worker.stop())
        try:
            return self.worker.wait(job, on_text=self._write)
        finally:
            signal.signal(signal.SIGINT, previous)

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def reply(self, message: str) -> None:
        completion = self.session.engine.completion
        if self.interactive:
            self.out.write("…" if completion else "ai> ")
            self.out.flush()
        if self.saved is not None:
            self.saved.send(message)
        event = self._wait_reply(self.worker.reply(self.session, message))
        if event.kind == DONE and self.saved is not None:
            self.saved.finish(event.result)
        if event.kind == ERROR:
            self.out.write("\n")
            if isinstance(event.error, (MessageTooLongError, EngineError, ValueError)):
                self.say(f"hanashi: {event.error}", to_err=True)
                return
            raise event.error
        result = event.result
        suffix = " [stopped]" if result.reason == CANCELLED and self.interactive else ""
        self.out.write(suffix + "\n")
        self.out.flush()
        if getattr(result, "note", ""):
            self.say(f"(empty reply: {result.note})", to_err=True)
        if self.args.stats:
            self.say(f"[{result.n_generated} tokens, {result.tokens_per_s:.1f} tok/s, prompt "
                     f"{result.n_prompt_evaluated}/{result.n_prompt_tokens} evaluated, context "
                     f"{result.context_used}/{result.n_ctx}, {result.reason}]", to_err=True)

    def read_line(self) -> str | None:
        if not self.interactive:
            line = self.stdin.readline()
            return None if line == "" else line.rstrip("\r\n")
        prompt = "text> " if self.session.engine.completion else "you> "
        while True:
            try:
                return input(prompt)
            except KeyboardInterrupt:
                self.out.write("\n(type /exit or press Ctrl-D to leave)\n")
            except EOFError:
                self.out.write("\n")
                return None

    def loop(self) -> int:
        while True:
            line = self.read_line()
            if line is None:
                return 0
            command = line.strip()
            if not command:
                continue
            if command in ("/exit", "/quit"):
                return 0
            if command == "/reset":
                self.session.reset()
                if self.saved is not None and self.saved.restart(self.persona, self.session.sampling):
                    self.say(f"(conversation cleared; saving to {self.saved.where()})")
                else:
                    self.say("(conversation cleared)")
                continue
            if command.startswith("/") and " " not in command:
                self.say(f"unknown command {command}: {COMMANDS}")
                continue
            self.reply(line)

    def run(self) -> int:
        try:
            code = self.load()
            if code:
                return code
            if self.interactive:
                try:
                    import readline  # noqa: F401  (line editing and history for input())
                except ImportError:
                    pass
            return self.loop()
        except KeyboardInterrupt:  # Ctrl-C while the model was loading
            self.say("", to_err=True)
            return 130
        finally:
            self.worker.close()
            if self.saved is not None:
                self.saved.close()


def run(args: argparse.Namespace) -> int:
    return TerminalChat(args).run()
