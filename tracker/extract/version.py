"""Which extractor read an article: the package version and a digest of its rules.

Provenance names it, and `tracker reprocess` says it in the reason of each retraction
("no longer read from <link> by extractor 0.2.0+1a2b3c4d"). The digest covers the
engine's code and the lexicon, so a lexicon edit between releases is a new extractor.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from tracker import __version__


@cache
def extractor_version() -> str:
    """`<package version>+<8 hex digits of the extraction code and lexicon>`."""
    folder = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("*.py"), *folder.glob("lexicon/*.toml")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:8]}"
