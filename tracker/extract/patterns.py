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
    """The full regular expression of a pattern: expanded, bounded, checked.

    The checks read the text of the expression, not its parse: loading the lexicon
    parses each kind's joined expression once (`tracker.extract.vocabulary`), and
    parsing every entry again would double the start-up of every process.
    """
    body = expand(source.strip(), fragments)
    bounded = rf"\b(?:{body})"
    if re.search(r"[\w~)]$", source.strip()):
        # the end of a word, where the match ends with a letter ("n'" ends elsewhere)
        bounded += r"(?:(?<!\w)|(?!\w))"
    if not _balanced(bounded):
        raise PatternError(f"{source!r} does not compile: unbalanced parenthesis")
    impossible = sorted(_impossible(bounded))
    if impossible:
        raise PatternError(f"{source!r} holds {''.join(impossible)!r}, which folded text never"
                           " contains (write it lower case, without accents)")
    return bounded


_CLASS_ESCAPE = re.compile(r"\\[A-Za-z]")  # \S, \W, \b: not literal letters
_ESCAPE = re.compile(r"\\.", re.DOTALL)
_SET = re.compile(r"\[\^?\]?[^\]]*\]")


def _impossible(regex: str) -> set[str]:
    """Literal characters of `regex` that `fold` would change: they never match."""
    text = _CLASS_ESCAPE.sub("", regex)
    return {char for char, folded in zip(text, fold(text), strict=True) if char != folded}


def _balanced(regex: str) -> bool:
    """Whether the parentheses of `regex` pair up (escaped ones and sets aside)."""
    depth = 0
    for char in _SET.sub("", _ESCAPE.sub("", regex)):
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0
