"""The ``.gs`` text as physical lines, and where a statement that is not a simple line ends.

The reader takes a text one statement at a time, so that Python's ``ast`` never holds more
than one statement (``ast.parse`` of a whole file of a million nodes takes gigabytes). A
statement usually is one line; where one goes on (an open bracket, a backslash, a string of
several lines, an indented block), Python's own tokenizer says where it ends.

>>> lines = text_lines("a = 1\\nW = param([[1, 2],\\n           [3, 4]])\\nz = a\\n")
>>> statement_end(lines, 1)
3
"""

from __future__ import annotations

import re

__all__ = ["text_lines", "text_with_breaks", "statement_end", "MAX_BYTES", "MAX_NODES"]

#: The limits of a ``.gs`` text: its size, and the nodes it may make (a node takes about 1.5 kB
#: once built). Here, with the lines, so that every reader of the text finds them without
#: importing the others.
MAX_BYTES = 50_000_000
MAX_NODES = 2_000_000

_LINE_BREAK = re.compile(r"\r\n?")
# strings that open and close on one line, without escapes; a comment outside them
_SHORT_STRING = re.compile(r"'[^'\\\n]*'|\"[^\"\\\n]*\"")


def text_lines(text: str) -> list[str]:
    """The physical lines of ``text``, without their line breaks (``\\n``, ``\\r\\n`` or
    ``\\r``, the breaks Python's tokenizer counts; ``str.splitlines`` counts more)."""
    if "\r" in text:
        text = _LINE_BREAK.sub("\n", text)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def text_with_breaks(text: str) -> str:
    """``"\\n".join(text_lines(text)) + "\\n"``: the lines of ``text``, each ending in ``\\n``,
    without splitting it."""
    if "\r" in text:
        text = _LINE_BREAK.sub("\n", text)
    return text if text.endswith("\n") else text + "\n"


def _complete(line: str) -> bool:
    """Whether ``line`` is certainly a whole statement: no backslash, no string of several
    lines, its brackets closed, and no block after it (no ':' at its end)."""
    if "\\" in line or "'''" in line or '"""' in line:
        return False
    code = _SHORT_STRING.sub("''", line)
    if "'" in code.replace("''", "") or '"' in code:
        return False  # a quote left open
    code = code.split("#", 1)[0]
    depth = 0
    for ch in code:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return True  # a stray closing bracket: an error on this line alone
    return depth == 0 and not code.rstrip().endswith(":")


def statement_end(lines: list[str], start: int) -> int:
    """The index just past the last line of the statement that begins at ``lines[start]``
    (the end of the text when it never ends: ``ast`` then says what is wrong with it)."""
    if _complete(lines[start]):
        return start + 1
    import tokenize  # (here: the first ``eval`` of a file of simple lines never needs it)

    pos = start

    def readline() -> str:
        nonlocal pos
        if pos >= len(lines):
            return ""
        pos += 1
        return lines[pos - 1] + "\n"

    depth = 0  # indented blocks
    end = None  # set at the NEWLINE that may end the statement
    try:
        for tok in tokenize.generate_tokens(readline):
            kind = tok.type
            if kind in (tokenize.NL, tokenize.COMMENT):
                continue
            if kind == tokenize.INDENT:
                depth += 1
                end = None  # a block follows: it belongs to the statement
            elif kind == tokenize.DEDENT:
                depth -= 1
                if depth == 0:
                    return min(start + tok.start[0] - 1, len(lines))
            elif end is not None:
                return end
            elif kind == tokenize.NEWLINE and depth == 0:
                end = start + tok.end[0]
            elif kind == tokenize.ENDMARKER:
                break
    except (tokenize.TokenError, SyntaxError):  # an unclosed bracket or string, a bad indent
        return len(lines)
    return end if end is not None else len(lines)
