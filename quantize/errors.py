"""Errors the converter reports to people: what went wrong, where, and how to fix it."""

from __future__ import annotations


class ExplainedError(Exception):
    """An error written for people: ``message`` says what happened, ``path`` where, ``fix`` what to do.

    The converter and the app's engine both raise subclasses, so every caller can show ``str(error)``
    (English). ``code`` names the problem in a stable, dotted form (``gguf.truncated``,
    ``convert.missing_file``…) and ``params`` holds the values its sentence needs, so a user interface
    can say the same in its own language without reading the English text. Each class has a default
    code; a raise site names a more exact one with ``code=`` and ``params=``.
    """

    default_code = "error"

    def __init__(self, message: str, path: object = None, fix: str = "", *, code: str | None = None,
                 params: dict | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.fix = fix
        self._code = code
        self.params = dict(params or {})
        super().__init__(str(self))

    @property
    def code(self) -> str:
        """The problem's stable name: the one given where it was raised, else the class's default."""
        return getattr(self, "_code", None) or self._default_code()

    def _default_code(self) -> str:
        return self.default_code

    def __reduce__(self):  # pickles with every attribute (code, params, kind…), whatever __init__ takes
        return (_restore, (type(self), dict(vars(self))))

    def __str__(self) -> str:
        text = self.message
        if self.path:
            text = f"{self.path}: {text}"
        if self.fix:
            text += f"\n  How to fix: {self.fix}"
        return text


def _restore(cls: type, state: dict) -> ExplainedError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, str(error))
    return error


class ConversionError(ExplainedError):
    """A problem with the input or output of a conversion."""

    default_code = "convert.failed"


class GGUFFileError(ConversionError):
    """A GGUF file that cannot be read: ``kind`` is "missing", "not_gguf" or "corrupt"."""

    def __init__(self, kind: str, message: str, path: object = None, fix: str = "", *, code: str | None = None,
                 params: dict | None = None):
        self.kind = kind
        super().__init__(message, path, fix, code=code, params=params)

    def _default_code(self) -> str:
        return f"gguf.{self.kind}"


class ConversionCancelled(Exception):
    """Raised inside a conversion when its cancel flag is set; nothing is left on disk."""


class InvalidGGUFError(GGUFFileError):
    """A GGUF whose header reads, but whose values llama.cpp or Hanashi cannot use.

    ``problems`` lists every value found wrong (each names the key, the value and what is allowed);
    the message shows the first ones.
    """

    def __init__(self, problems: list, path: object = None, fix: str = ""):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "invalid metadata"
        more = len(self.problems) - 1
        message = f"the model file has a value Hanashi cannot use: {first}"
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''}: " + \
                "; ".join(str(p) for p in self.problems[1:4]) + ("; …" if more > 3 else "") + ")"
        if not fix and self.problems:
            fix = getattr(self.problems[0], "fix", "")
        key = getattr(self.problems[0], "key", "") if self.problems else ""
        super().__init__("invalid", message, path, fix or "download or convert the model again",
                         params={"key": str(key), "count": len(self.problems)})
