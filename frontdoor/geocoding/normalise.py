"""One spelling for every way of writing an address: "123 N. Main Street, #4" and
"123 north main st 4" both become "123 n main st 4", so a typed prefix finds the point."""

from __future__ import annotations

import re
import unicodedata

# USPS standard suffix and directional abbreviations (the common ones), plus Spanish words
# residents type for the same things.
ABBREVIATIONS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "avn": "ave",
    "road": "rd",
    "drive": "dr",
    "drv": "dr",
    "boulevard": "blvd",
    "boul": "blvd",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "terrace": "ter",
    "parkway": "pkwy",
    "highway": "hwy",
    "circle": "cir",
    "square": "sq",
    "trail": "trl",
    "way": "way",
    "alley": "aly",
    "expressway": "expy",
    "freeway": "fwy",
    "plaza": "plz",
    "point": "pt",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "sixth": "6th",
    "seventh": "7th",
    "eighth": "8th",
    "ninth": "9th",
    "tenth": "10th",
    "calle": "st",
    "avenida": "ave",
    "norte": "n",
    "sur": "s",
    "este": "e",
    "oeste": "w",
    "apartment": "",
    "apt": "",
    "unit": "",
    "suite": "",
    "ste": "",
}
_PUNCTUATION = re.compile(r"[^\w\s]")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _PUNCTUATION.sub(" ", bare.casefold()).replace("_", " ")


def normalise(text: str) -> str:
    """The comparable form of a whole address."""
    return " ".join(w for w in (ABBREVIATIONS.get(w, w) for w in fold(text).split()) if w)


def prefixes(text: str) -> list[str]:
    """The normalised prefixes that what someone is still typing may stand for: the last
    word may be half a word, so "123 main stre" may be "123 main st" (street) as well as
    a street whose name starts with "stre"."""
    words = fold(text).split()
    if not words:
        return []
    head = normalise(" ".join(words[:-1]))
    last = words[-1]
    options = {last}
    if last in ABBREVIATIONS:
        options.add(ABBREVIATIONS[last])
    if len(last) >= 2:
        options.update(short for full, short in ABBREVIATIONS.items() if full.startswith(last))
    options.discard("")
    return sorted(f"{head} {option}".strip() for option in options)
