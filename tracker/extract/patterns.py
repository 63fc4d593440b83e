"""The small pattern language of the lexicon, compiled to regular expressions.

A lexicon pattern is a regular expression over folded text (lower case, accents
dropped, one kind of apostrophe and dash; see `tracker.extract.text.fold`) with four
conveniences, so that one entry covers a word's forms and reads like the words it finds:

- `~` after letters is any ending: `abandon~` finds abandon, abandons, abandoned,
  abandoning, abandonment; `renonc~` finds renonce, renoncé, renoncer, renoncent;
- a space is any run of white space;
- `…` is a gap of up to four words (`…2`: up to two);
- `<name>` is the fragment of that name (the lexicon's `[fragments]`), as a group.

A pattern matches from the start of a word and, when it is written ending with a
letter, a digit, `~` or `)`, to the end of one (unless what it matched ends with an
apostrophe or a space).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

from tracker.extract.text import fold

_FRAGMENT = re.compile(r"<([a-z_]+)>")
_GAP = re.compile(r"(\s*)…(\d)?\s*")
#: A word of a gap: letters, digits and the punctuation inside words and amounts.
GAP_WORD = r"[\w'$.,%&-]+"
_MAX_FRAGMENT_DEPTH = 5


class PatternError(ValueError):
    """A lexicon pattern that cannot be used: it does not compile, or can never match."""


def expand(source: str, fragments: Mapping[str, str], *, depth: int = 0) -> str:
    """The regular expression a pattern stands for (without its word boundaries)."""
    if depth > _MAX_FRAGMENT_DEPTH:
        raise PatternError(f"fragments nested too deep in {source!r}")

    def fragment(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in fragments:
            raise PatternError(f"unknown fragment <{name}> in {source!r}")
        return "(?:" + expand(fragments[name], fragments, depth=depth + 1) + ")"

    text = _FRAGMENT.sub(fragment, source)
    # a gap takes the spaces around it: "drop~ … <deal>" is drop, up to 4 words, a deal
    text = _GAP.sub(lambda m: f"\x00{'s' if m.group(1) else ''}{m.group(2) or 4}\x00", text)
    text = re.sub(r"(?<=[\w)])~", r"\\w*", text)
    text = re.sub(r"(?<!\\)\((?!\?)", "(?:", text)  # groups never capture: faster
    text = _spaces(text)
    return re.sub("\x00(s?)(\\d)\x00", lambda m: (r"\s+" if m.group(1) else "")
                  + rf"(?:{GAP_WORD}\s+){{0,{m.group(2)}}}?", text)


def _spaces(text: str) -> str:
    """Each space as any run of white space, but inside a lookbehind (fixed width there)."""
    out: list[str] = []
    depth, behind = 0, -1  # parenthesis depth, and the depth a lookbehind opened at
    for index, char in enumerate(text):
        escaped = text[index - 1:index] == "\\"
        if char == "(" and not escaped:
            if text.startswith(("(?<=", "(?<!"), index) and behind < 0:
                behind = depth
            depth += 1
        elif char == ")" and not escaped:
            depth -= 1
            if depth == behind:
                behind = -1
        if char == " " and behind < 0:
            out.append("\\s+")
        elif char == "?" and out[-1:] == ["\\s+"] and text[index - 1] == " ":
            out[-1] = "\\s*"  # "l' ?offre": an optional space, not a lazy one
        else:
            out.append(char)
    return "".join(out)


def compile_source(source: str, fragments: Mapping[str, str]) -> str:
    """The full regular expression of a pattern: expanded, bounded, checked."""
    body = expand(source.strip(), fragments)
    bounded = rf"\b(?:{body})"
    if re.search(r"[\w~)]$", source.strip()):
        # the end of a word, where the match ends with a letter ("n'" ends elsewhere)
        bounded += r"(?:(?<!\w)|(?!\w))"
    try:
        parsed = _parser.parse(bounded)
    except re.error as error:
        raise PatternError(f"{source!r} does not compile: {error}") from None
    impossible = sorted(_impossible(parsed))
    if impossible:
        raise PatternError(f"{source!r} holds {''.join(impossible)!r}, which folded text never"
                           " contains (write it lower case, without accents)")
    return bounded


def _impossible(parsed: object) -> set[str]:
    """Literal characters of a parsed pattern that `fold` would change: they never match."""
    found: set[str] = set()
    for op, av in parsed:  # type: ignore[attr-defined]
        if op is _c.LITERAL:
            found |= _changed(chr(av))
        elif op is _c.IN:
            for inner_op, inner in av:
                if inner_op is _c.LITERAL:
                    found |= _changed(chr(inner))
        elif op is _c.BRANCH:
            for branch in av[1]:
                found |= _impossible(branch)
        elif op is _c.SUBPATTERN:
            found |= _impossible(av[-1])
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            found |= _impossible(av[2])
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found |= _impossible(av[1])
    return found


def _changed(char: str) -> set[str]:
    return set() if fold(char) == char else {char}
