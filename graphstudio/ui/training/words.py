"""Counting in words for the panel's and the dialog's messages: "1 step", "300 steps",
"2 classes"."""

__all__ = ["count"]


def count(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {word}{'es' if word.endswith(('s', 'sh', 'ch', 'x')) else 's'}"
