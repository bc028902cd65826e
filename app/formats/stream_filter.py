"""Turning raw model text into display text, all at once or while tokens stream in.

Two rules apply to a model's raw output:

* **Stop strings.** The reply ends where the first stop string begins (for rinna, where the model
  starts writing the user's next line). The stop string and everything after it are dropped.
* **Replacements.** Raw pieces are shown as something else, e.g. rinna's ``<NL>`` as a newline.
  The text is read left to right; where several keys match, the longest wins, and replaced text is
  never looked at again.

``StreamFilter`` applies both rules to text arriving in arbitrary pieces. However the text is
split, the concatenation of what it returns equals ``filter_text`` on the whole text.
"""

from __future__ import annotations

from collections.abc import Iterable


def cut_at_stop(text: str, stop_strings: Iterable[str]) -> tuple[str, bool]:
    """Return ``text`` up to the earliest stop string, and whether one was found."""
    found = [i for i in (text.find(s) for s in stop_strings if s) if i >= 0]
    if not found:
        return text, False
    return text[: min(found)], True


def apply_replacements(text: str, replacements: Iterable[tuple[str, str]]) -> str:
    """Replace keys left to right, the longest key winning where several match."""
    table = {key: value for key, value in replacements if key}
    if not table:
        return text
    return _Replacer(table).scan(text, len(text), hold_partial=False)[0]


def filter_text(text: str, stop_strings: Iterable[str], replacements: Iterable[tuple[str, str]]) -> str:
    """The whole-text form of ``StreamFilter``: cut at the first stop, then replace."""
    kept, _ = cut_at_stop(text, stop_strings)
    return apply_replacements(kept, replacements)


class _Replacer:
    """Longest-match, left-to-right replacement that can pause where a match is undecided."""

    def __init__(self, table: dict[str, str]):
        self.table = table
        self.keys = sorted(table, key=len, reverse=True)
        self.longest = max((len(k) for k in self.keys), default=0)

    def could_grow(self, text: str, i: int) -> bool:
        """True when ``text[i:]`` is a proper prefix of some key (more text could complete it)."""
        rest = len(text) - i
        return rest < self.longest and any(
            len(k) > rest and k.startswith(text[i:]) for k in self.keys
        )

    def key_at(self, text: str, i: int) -> str:
        for key in self.keys:  # longest first
            if text.startswith(key, i):
                return key
        return ""

    def scan(self, text: str, limit: int, hold_partial: bool) -> tuple[str, int]:
        """Convert ``text`` from the start up to ``limit``.

        Returns the converted text and the index where conversion paused. With ``hold_partial``
        it pauses at a possible start of a key that the text does not yet show in full, and at a
        key that would reach past ``limit``.
        """
        out: list[str] = []
        i = 0
        while i < limit:
            if hold_partial and self.could_grow(text, i):
                break
            key = self.key_at(text, i)
            if not key:
                out.append(text[i])
                i += 1
            elif i + len(key) <= limit:
                out.append(self.table[key])
                i += len(key)
            elif hold_partial:
                break
            else:
                out.append(text[i])
                i += 1
        return "".join(out), i


class StreamFilter:
    """Filters a reply while it streams in.

    ``feed`` returns the part of the reply that is safe to show now. A tail that could still grow
    into a stop string or a replacement key is held back until later text settles it. Once a stop
    string appears, the text from it on is dropped, ``stopped`` becomes True and later feeds return
    "". ``flush`` releases what is held back when generation ends. ``text`` is everything returned
    so far.
    """

    def __init__(self, stop_strings: Iterable[str] = (), replacements: Iterable[tuple[str, str]] = ()):
        self.stop_strings: tuple[str, ...] = tuple(s for s in stop_strings if s)
        self.replacements: tuple[tuple[str, str], ...] = tuple(
            (k, v) for k, v in replacements if k
        )
        self._replacer = _Replacer(dict(self.replacements))
        self._pending = ""
        self.stopped = False
        self.text = ""

    def _stop_hold(self, text: str) -> int:
        """Index of the earliest tail of ``text`` that is a proper prefix of a stop string."""
        longest = max((len(s) for s in self.stop_strings), default=0)
        for i in range(max(0, len(text) - longest + 1), len(text)):
            tail = text[i:]
            if any(len(s) > len(tail) and s.startswith(tail) for s in self.stop_strings):
                return i
        return len(text)

    def _emit(self, shown: str) -> str:
        self.text += shown
        return shown

    def feed(self, text: str) -> str:
        """Take the next piece of raw model text; return the display text it releases."""
        if self.stopped:
            return ""
        pending = self._pending + text
        kept, found = cut_at_stop(pending, self.stop_strings)
        if found:
            self.stopped = True
            self._pending = ""
            return self._emit(self._replacer.scan(kept, len(kept), hold_partial=False)[0])
        shown, paused = self._replacer.scan(pending, self._stop_hold(pending), hold_partial=True)
        self._pending = pending[paused:]
        return self._emit(shown)

    def flush(self) -> str:
        """End of generation: release the held-back text, converted."""
        if self.stopped:
            return ""
        pending, self._pending = self._pending, ""
        return self._emit(self._replacer.scan(pending, len(pending), hold_partial=False)[0])
