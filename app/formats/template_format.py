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
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .chat_format import ChatFormat
from .turns import USER, Turn


def _raise_exception(message: str) -> None:
    raise jinja2.TemplateError(message)


def _tojson(value, indent=None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"]
    )
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = time.strftime
    env.filters["tojson"] = _tojson
    return env


def _messages(turns: Sequence[Turn]) -> list[dict[str, str]]:
    return [{"role": t.role, "content": t.content} for t in turns]


class TemplateFormat(ChatFormat):
    """Renders the conversation with a Jinja chat template taken from the model file."""

    def __init__(self, chat_template: str, bos_token: str = "", eos_token: str = ""):
        super().__init__("template", stop_strings=(eos_token,) if eos_token else ())
        try:
            self._template = _environment().from_string(chat_template)
        except jinja2.TemplateSyntaxError as exc:
            raise ValueError(f"the model's chat template is not valid Jinja: {exc}") from exc
        self.bos_token = bos_token
        self.eos_token = eos_token

    def _render(self, messages: list[dict[str, str]]) -> str:
        return self._template.render(
            messages=messages,
            add_generation_prompt=True,
            bos_token=self.bos_token,
            eos_token=self.eos_token,
        )

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
