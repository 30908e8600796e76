"""Counting in words for the panel's and the dialog's messages: "1 step", "300 steps",
"2 classes"."""

__all__ = ["count"]


def count(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and the word, plural unless ``n`` is 1: ``plural`` if given, else the word and
    "es" after s, sh or x ("classes"), and "s" otherwise ("epochs": "ch" is not a rule)."""
    if n == 1:
        return f"1 {word}"
    if plural is None:
        plural = word + ("es" if word.endswith(("s", "sh", "x")) else "s")
    return f"{n} {plural}"
