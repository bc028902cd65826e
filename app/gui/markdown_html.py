"""A model's reply in Markdown → safe HTML for Qt's rich text, with code blocks set apart.

The model's text is untrusted, so this is a small renderer of its own rather than Qt's Markdown
(which passes inline HTML through): every character of the source reaches the HTML escaped, and
the only tags in the result are the ones written here — headings, paragraphs, lists, emphasis,
inline code, block quotes, rules and tables. Nothing refers to anything outside the text: a
link or an image is shown as its text followed by its address, never fetched or opened.

``segments(text)`` splits a reply into text and fenced code blocks (``Segment``); ``to_html`` renders
a text segment. Work is linear in the text: every inline delimiter is searched for once.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

TEXT, CODE = "text", "code"
MAX_DEPTH = 6  # nested quotes, lists and emphasis beyond this are shown as text
PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


@dataclass(frozen=True)
class Segment:
    kind: str  # TEXT or CODE
    source: str  # the Markdown (TEXT) or the code itself (CODE)
    language: str = ""  # CODE: the word after the opening fence
    closed: bool = True  # CODE: the closing fence was seen


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$")


def segments(text: str) -> list[Segment]:
    """``text`` as text and fenced code blocks, in order (a fence left open runs to the end)."""
    out: list[Segment] = []
    lines = text.split("\n")
    plain: list[str] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            plain.append(lines[i])
            i += 1
            continue
        fence = m.group(1)
        indent = len(lines[i]) - len(lines[i].lstrip(" "))
        code: list[str] = []
        i += 1
        closed = False
        while i < len(lines):
            line = lines[i]
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                closed = True
                i += 1
                break
            code.append(_dedent(line, indent))
            i += 1
        if plain and "".join(plain).strip():
            out.append(Segment(TEXT, "\n".join(plain)))
        plain = []
        out.append(Segment(CODE, "\n".join(code), m.group(2), closed))
    if plain and "".join(plain).strip():
        out.append(Segment(TEXT, "\n".join(plain)))
    return out


def _dedent(line: str, indent: int) -> str:
    n = 0
    while n < indent and n < len(line) and line[n] == " ":
        n += 1
    return line[n:]


def esc(text: str) -> str:
    return html.escape(text, quote=True)


# ---------------------------------------------------------------- inline


_EMPHASIS = (("**", "b"), ("__", "b"), ("~~", "s"), ("*", "i"), ("_", "i"))


class _Inline:
    """One run of inline Markdown → HTML. Remembers delimiters that have no closer further on,
    so a text full of unmatched ``*`` costs one search per kind of delimiter, not one per ``*``."""

    def __init__(self, source: str, depth: int):
        self.s, self.depth = source, depth
        self.no_closer: set[str] = set()

    def closer(self, delim: str, start: int) -> int:
        s, n = self.s, len(self.s)
        if delim in self.no_closer:
            return -1
        j = s.find(delim, start)
        while j >= 0:
            before = s[j - 1]
            after = s[j + len(delim):j + len(delim) + 1]
            ok = not before.isspace()
            if len(delim) == 1 and (before == delim or after == delim):
                ok = False  # part of a double delimiter
            if delim[0] == "_" and after and (after.isalnum() or after == "_"):
                ok = False  # inside a word: snake_case is not emphasis
            if ok and j > start:
                return j
            j = s.find(delim, j + 1) if j + 1 < n else -1
        self.no_closer.add(delim)
        return -1

    def render(self) -> str:
        s, n = self.s, len(self.s)
        out: list[str] = []
        plain = 0
        i = 0

        def flush(upto: int) -> None:
            if upto > plain:
                out.append(esc(s[plain:upto]))

        while i < n:
            c = s[i]
            if c == "\\" and i + 1 < n and s[i + 1] in PUNCTUATION:
                flush(i)
                out.append(esc(s[i + 1]))
                i += 2
                plain = i
                continue
            if c == "`":
                run = 0
                while i + run < n and s[i + run] == "`":
                    run += 1
                ticks = "`" * run
                close = -1 if ticks in self.no_closer else s.find(ticks, i + run)
                if close < 0:
                    self.no_closer.add(ticks)
                if close >= 0:
                    flush(i)
                    code = s[i + run:close]
                    if code.startswith(" ") and code.endswith(" ") and code.strip():
                        code = code[1:-1]
                    out.append(f"<code>{esc(code)}</code>")
                    i = close + run
                    plain = i
                else:
                    i += run
                continue
            if c in "*_~" and self.depth < MAX_DEPTH:
                done = False
                for delim, tag in _EMPHASIS:
                    if not s.startswith(delim, i):
                        continue
                    start = i + len(delim)
                    if start >= n or s[start].isspace():
                        continue
                    if delim[0] == "_" and i > 0 and (s[i - 1].isalnum() or s[i - 1] == "_"):
                        continue
                    close = self.closer(delim, start)
                    if close < 0:
                        continue
                    flush(i)
                    inner = _Inline(s[start:close], self.depth + 1).render()
                    out.append(f"<{tag}>{inner}</{tag}>")
                    i = close + len(delim)
                    plain = i
                    done = True
                    break
                if not done:
                    i += 1
                    while i < n and s[i] == c:
                        i += 1
                continue
            if c == "[" or (c == "!" and s.startswith("[", i + 1)):
                link = _LINK.match(s, i + (c == "!"))
                if link is not None:
                    flush(i)
                    label, url = link.group(1), link.group(2)
                    shown = _Inline(label, self.depth + 1).render() if self.depth < MAX_DEPTH else esc(label)
                    if c == "[" and shown:
                        shown = f"<u>{shown}</u>"
                    if url and url != label:
                        shown += f' <span style="color: gray">({esc(url)})</span>'
                    out.append(shown)
                    i = link.end()
                    plain = i
                    continue
            i += 1
        flush(n)
        return "".join(out)


_LINK = re.compile(r"\[([^\[\]\n]{0,500})\]\(\s*<?([^\s()<>]{0,2000})>?(?:\s+\"[^\"\n]{0,500}\")?\s*\)")


def inline(text: str, depth: int = 0) -> str:
    """Inline Markdown (emphasis, code, links) → HTML, everything else escaped."""
    return _Inline(text, depth).render()


# ---------------------------------------------------------------- blocks


_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(r"^([ \t]*)([-*+•]|\d{1,9}[.)])[ \t]+(.*)$")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?(.*)$")
_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_DELIMITER = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")


def _width(indent: str) -> int:
    return len(indent.replace("\t", "    "))


def to_html(text: str, depth: int = 0) -> str:
    """Block Markdown → HTML. Lines of a paragraph keep their breaks (as chat replies mean them)."""
    lines = text.split("\n")
    out: list[str] = []
    para: list[str] = []
    i = 0

    def end_paragraph() -> None:
        if para:
            out.append("<p>" + "<br>".join(inline(line.strip(), depth) for line in para) + "</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        if not line.strip():
            end_paragraph()
            i += 1
            continue
        if depth < MAX_DEPTH and (m := _HEADING.match(line)):
            end_paragraph()
            level = len(m.group(1))
            out.append(f"<h{level}>{inline(m.group(2) or '', depth)}</h{level}>")
            i += 1
            continue
        if para and (m := _UNDERLINE.match(line)):  # the paragraph above is a heading
            level = 1 if m.group(1)[0] == "=" else 2
            out.append(f"<h{level}>" + " ".join(inline(p.strip(), depth) for p in para) + f"</h{level}>")
            para.clear()
            i += 1
            continue
        if _RULE.match(line):
            end_paragraph()
            out.append("<hr>")
            i += 1
            continue
        if depth < MAX_DEPTH and _QUOTE.match(line):
            end_paragraph()
            quoted = []
            while i < len(lines) and (q := _QUOTE.match(lines[i])):
                quoted.append(q.group(1))
                i += 1
            out.append(f"<blockquote>{to_html(chr(10).join(quoted), depth + 1)}</blockquote>")
            continue
        if depth < MAX_DEPTH and _ITEM.match(line):
            end_paragraph()
            i = _list(lines, i, depth, out)
            continue
        if "|" in line and i + 1 < len(lines) and _DELIMITER.match(lines[i + 1]) and "-" in lines[i + 1]:
            end_paragraph()
            i = _table(lines, i, depth, out)
            continue
        para.append(line)
        i += 1
    end_paragraph()
    return "".join(out)


def _list(lines: list[str], i: int, depth: int, out: list[str]) -> int:
    """A list starting at ``lines[i]`` (nested by indentation) → HTML; returns the next line."""
    stack: list[tuple[int, str]] = []  # (indent, "ul" | "ol") of the open lists
    blank = False  # a blank line came after the last item's text
    while i < len(lines):
        line = lines[i]
        if _RULE.match(line):
            break
        m = _ITEM.match(line)
        if m is None:
            stripped = line.strip()
            if not stripped:
                nxt = next((ln for ln in lines[i + 1:] if ln.strip()), None)
                if nxt is None or not (_ITEM.match(nxt) or nxt[0] in " \t"):
                    break
                blank = True
                i += 1
                continue
            if line[0] not in " \t" and (blank or _HEADING.match(line) or _QUOTE.match(line)):
                break
            out.append("<br>" + inline(stripped, depth + 1))  # the item goes on
            blank = False
            i += 1
            continue
        indent, marker, body = _width(m.group(1)), m.group(2), m.group(3)
        kind = "ul" if marker in "-*+•" else "ol"
        while stack and indent < stack[-1][0]:
            out.append(f"</li></{stack.pop()[1]}>")
        if stack and indent == stack[-1][0] and kind != stack[-1][1]:
            out.append(f"</li></{stack.pop()[1]}>")
        if not stack or indent > stack[-1][0]:
            if len(stack) >= MAX_DEPTH:
                indent = stack[-1][0]
                out.append("</li>")
            else:
                start = "" if kind == "ul" or int(marker[:-1]) == 1 else f' start="{int(marker[:-1])}"'
                out.append(f"<{kind}{start}>")
                stack.append((indent, kind))
        else:
            out.append("</li>")
        out.append("<li>" + inline(body.strip(), depth + 1))
        blank = False
        i += 1
    while stack:
        out.append(f"</li></{stack.pop()[1]}>")
    return i


def _cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    cells, cur, k = [], [], 0
    while k < len(s):
        if s[k] == "\\" and k + 1 < len(s) and s[k + 1] == "|":
            cur.append("|")
            k += 2
            continue
        if s[k] == "|":
            cells.append("".join(cur).strip())
            cur = []
        else:
            cur.append(s[k])
        k += 1
    cells.append("".join(cur).strip())
    return cells


def _table(lines: list[str], i: int, depth: int, out: list[str]) -> int:
    header = _cells(lines[i])
    aligns = []
    for cell in _cells(lines[i + 1]):
        left, right = cell.startswith(":"), cell.endswith(":")
        aligns.append("center" if left and right else "right" if right else "left")
    columns = len(header)
    aligns = (aligns + ["left"] * columns)[:columns]

    def row(cells: list[str], tag: str) -> str:
        cells = (cells + [""] * columns)[:columns]
        return "<tr>" + "".join(f'<{tag} align="{a}">{inline(c, depth + 1)}</{tag}>'
                                for c, a in zip(cells, aligns)) + "</tr>"

    rows = [row(header, "th")]
    i += 2
    while i < len(lines) and lines[i].strip() and "|" in lines[i]:
        rows.append(row(_cells(lines[i]), "td"))
        i += 1
    out.append('<table border="1" cellspacing="0" cellpadding="4" style="border-collapse: collapse">'
               + "".join(rows) + "</table>")
    return i
