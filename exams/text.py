"""Text folding used to find duplicate questions."""

import unicodedata


def normalise_stem(text: str) -> str:
    """NFKC, case-folded, without whitespace or punctuation; two stems match when these match."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    kept = (ch for ch in folded
            if not ch.isspace() and not unicodedata.category(ch).startswith(("P", "Z")))
    return "".join(kept)[:255]
