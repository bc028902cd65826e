"""Which llama.cpp tokenizer types can run a vocabulary at all: llama.cpp's preconditions, in Python.

llama.cpp does not report a vocabulary it cannot tokenize; it aborts the whole process the first
time a text needs what is missing (a C++ exception thrown through ``llama_tokenize``, or a
``GGML_ASSERT``). So before a type is written into a file, or even probed, the vocabulary is
checked here against what llama.cpp's source (``src/llama-vocab.cpp``) relies on:

every type
  * token strings are unique as llama.cpp stores them (cut at the first NUL, an empty one renamed
    ``[EMPTY_<id>]``): ``GGML_ASSERT(id_to_token.size() == token_to_id.size())`` at load;
  * a token of type BYTE is spelled ``<0xXX>`` (its piece is read from characters 3-4).

``llama`` (SPM)
  * every byte 0x00-0xFF has a token: a text the merges leave unmatched is emitted byte by byte,
    and ``byte_to_token`` looks up ``<0xXX>`` and then the one-byte string with ``.at()``, which
    throws ``std::out_of_range`` (an abort) on the first such text — "\\n" or an emoji is enough.

``t5`` (UGM)
  * the unknown-token id is in range: every character outside the vocabulary becomes it (an id
    of -1 would abort the first time it is turned back into text);
  * the precompiled charsmap, when present, is a well-formed XCDA trie whose every lookup stays
    inside the array and whose replacement strings are NUL-terminated (otherwise tokenizing
    throws ``Index out of array bounds``/``Unterminated string``, an abort).
"""

from __future__ import annotations

import struct

from .spm import BYTE

KINDS = ("llama", "t5")


def llama_cpp_text(token: str, index: int) -> str:
    """A token as llama.cpp keeps it: C strings end at NUL; empty ones get a placeholder name."""
    text = token.split("\0", 1)[0]
    return text or f"[EMPTY_{index}]"


def common_problems(tokens: list[str], types: list[int]) -> list[str]:
    problems = []
    seen: dict[str, int] = {}
    for i, t in enumerate(tokens):
        text = llama_cpp_text(t, i)
        if text in seen:
            problems.append(f"tokens {seen[text]} and {i} are both {text!r} as llama.cpp reads them "
                            "(llama.cpp stops the process on duplicate tokens)")
            break
        seen[text] = i
    for i, (t, ty) in enumerate(zip(tokens, types)):
        if ty == BYTE and not _is_byte_piece(t):
            problems.append(f"token {i} {t!r} is marked as a byte but is not spelled <0xXX>")
            break
    return problems


def _is_byte_piece(t: str) -> bool:
    if len(t) != 6 or not (t.startswith("<0x") and t.endswith(">")):
        return False
    try:
        int(t[3:5], 16)
    except ValueError:
        return False
    return True


def missing_bytes(tokens: list[str]) -> list[int]:
    """Bytes llama.cpp's ``llama`` tokenizer could not emit (see ``llama_vocab::byte_to_token``)."""
    texts = {llama_cpp_text(t, i) for i, t in enumerate(tokens)}
    missing = []
    for b in range(256):
        if f"<0x{b:02X}>" in texts:
            continue
        if 0 < b < 0x80 and chr(b) in texts:  # the fallback: the byte itself as a one-byte token
            continue
        missing.append(b)
    return missing


def llama_problems(tokens: list[str]) -> list[str]:
    missing = missing_bytes(tokens)
    if not missing:
        return []
    shown = ", ".join(f"<0x{b:02X}>" for b in missing[:4]) + (", …" if len(missing) > 4 else "")
    return [f"it has no byte pieces for {len(missing)} of the 256 bytes ({shown}); llama.cpp's `llama` "
            "type needs one for every byte and aborts on the first text that needs a missing one"]


def t5_problems(tokens: list[str], special: dict[str, int], charsmap: bytes) -> list[str]:
    problems = []
    unk = special.get("unk")
    if unk is None or not 0 <= unk < len(tokens):
        problems.append("it has no unknown token in range; llama.cpp's `t5` type gives every character "
                        "outside the vocabulary that id")
    why = charsmap_problem(charsmap)
    if why:
        problems.append(f"its normalization table (precompiled charsmap) {why}")
    return problems


def charsmap_problem(blob: bytes) -> str | None:
    """Why llama.cpp's UGM normalizer could read outside ``blob``, or None when it cannot."""
    if not blob:
        return None
    import numpy as np

    if len(blob) < 4:
        return "is shorter than its 4-byte header"
    size = struct.unpack_from("<I", blob)[0]
    if size + 4 >= len(blob):
        return "declares a trie larger than the table"
    if size % 4:
        return "has a trie whose size is not a whole number of entries"
    units = np.frombuffer(blob, dtype="<u4", count=size // 4, offset=4).astype(np.uint64)
    repl = np.frombuffer(blob, dtype=np.uint8, offset=4 + size)
    n = len(units)
    if n == 0:
        return "has an empty trie"
    base = (units >> 10) << ((units & (1 << 9)) >> 6)
    lcheck = units & ((1 << 31) | 0xFF)
    if (int(base[0]) | 0xFF) >= n:
        return "has a root that points outside the trie"
    # Every unit that can be reached as a child (its check is a byte value) leads to a node whose
    # 256 possible children, and for a leaf the replacement index, must lie inside the arrays.
    child = (lcheck >= 1) & (lcheck <= 0xFF)
    nxt = np.arange(n, dtype=np.uint64) ^ base
    if np.any((nxt[child] | 0xFF) >= n):
        return "has a trie node that points outside the trie"
    leaf = child & (((units >> 8) & 1) == 1)
    values = units[nxt[leaf].astype(np.int64)] & ((1 << 31) - 1)
    if len(values):
        if len(repl) == 0 or int(values.max()) >= len(repl):
            return "has a replacement index outside its replacement strings"
        nul = np.flatnonzero(repl == 0)
        if len(nul) == 0 or int(values.max()) > int(nul[-1]):
            return "has a replacement string without its terminating NUL"
    return None


def kind_problems(kind: str, tokens: list[str], types: list[int], special: dict[str, int],
                  charsmap: bytes) -> list[str]:
    """Everything that would make llama.cpp abort with this vocabulary written as ``kind``."""
    if kind not in KINDS:
        return [f"Hanashi does not write llama.cpp tokenizer type {kind!r}"]
    problems = common_problems(tokens, types)
    if kind == "llama":
        problems += llama_problems(tokens)
    else:
        problems += t5_problems(tokens, special, charsmap)
    return problems
