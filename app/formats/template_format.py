"""Prompts for models Hanashi has no card format for: the GGUF's own Jinja chat template.

The template is rendered in a sandbox the way chat templates expect (``trim_blocks`` and
``lstrip_blocks`` on, ``loopcontrols`` available, a ``raise_exception`` helper), with
``messages``, ``add_generation_prompt=True``, ``bos_token`` and ``eos_token``.

Where the persona goes:

* A persona that is a single user turn (plain text typed without speaker prefixes) is an
  instruction, so it is sent as one ``system`` message. If the template refuses a system message
  (some raise an error for it), the persona is sent as a user message instead.
* A persona with several turns is a scripted exchange; its turns are sent as the first
  ``user`` / ``assistant`` messages.

The end-of-sequence token's text, when known, is also a stop string, in case it appears as text.

Templates come from model files, so they render in a bounded sandbox (``template_sandbox``): limits
on source size, time, steps, output size and recursion. A template that fails a trial render when
it is loaded is refused with a ValueError (the loader then falls back to plain completion and says
why); one that reaches a limit later raises ValueError for that reply, and for every reply after.
"""

from __future__ import annotations

from collections.abc import Sequence

import jinja2

from .chat_format import ChatFormat
from .template_sandbox import TemplateLimitError, compile_template, render_bounded
from .turns import ASSISTANT, USER, Turn


def _messages(turns: Sequence[Turn]) -> list[dict[str, str]]:
    return [{"role": t.role, "content": t.content} for t in turns]


class TemplateFormat(ChatFormat):
    """Renders the conversation with a Jinja chat template taken from the model file."""

    def __init__(self, chat_template: str, bos_token: str = "", eos_token: str = ""):
        super().__init__("template", stop_strings=(eos_token,) if eos_token else ())
        try:
            self._template = compile_template(chat_template)
        except jinja2.TemplateSyntaxError as exc:
            raise ValueError(f"the model's chat template is not valid Jinja: {exc}") from exc
        self.bos_token = bos_token
        self.eos_token = eos_token
        self._broken = ""  # set once a render reaches a limit: later renders fail at once
        trial = _messages([Turn(USER, "こんにちは"), Turn(ASSISTANT, "こんにちは。"), Turn(USER, "元気?")])
        try:  # a trial render, so a template that cannot finish is refused when the model loads
            self._render(trial)
        except jinja2.TemplateError:
            pass  # an error the template raises on purpose is reported when it happens
        except TemplateLimitError as exc:
            raise ValueError(f"the model's chat template was stopped: {exc}") from None

    def _render(self, messages: list[dict[str, str]]) -> str:
        if self._broken:
            raise TemplateLimitError(self._broken)
        try:
            return render_bounded(self._template, messages=messages, add_generation_prompt=True,
                                  bos_token=self.bos_token, eos_token=self.eos_token)
        except TemplateLimitError as exc:
            self._broken = str(exc)
            raise

    def render(self, persona: Sequence[Turn], turns: Sequence[Turn]) -> str:
        conversation = _messages(turns)
        try:
            if len(persona) == 1 and persona[0].role == USER:
                system = [{"role": "system", "content": persona[0].content}]
                try:
                    return self._render(system + conversation)
                except jinja2.TemplateError:
                    pass  # the template takes no system message: fall back to a user message
            return self._render(_messages(persona) + conversation)
        except jinja2.TemplateError as exc:
            raise ValueError(f"the model's chat template failed: {exc}") from exc
        except TemplateLimitError as exc:
            raise ValueError(f"the model's chat template was stopped: {exc}") from None
