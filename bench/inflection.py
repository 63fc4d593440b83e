"""Inflection: word endings in the lexicon (`renonc~`) against a lemmatiser (simplemma).

The lexicon could hold lemmas and match lemmatised text, or hold stems with `~` and
match folded text. This bench measures both on the forms a deal wording takes in news
(French and English verbs, participles, nouns; written for this bench): how many forms
each approach finds from one entry, and how fast each reads text.

    python bench/inflection.py          # simplemma is measured when installed
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracker.extract.patterns import compile_source  # noqa: E402
from tracker.extract.text import fold  # noqa: E402

#: (language, stem entry, lemma entry, forms found in news)
FORMS: list[tuple[str, str, str, list[str]]] = [
    ("fr", "avort~", "avorter", "avorte avorté avortée avortés avortées avortent avortera".split()),
    ("fr", "renonc~", "renoncer",
     "renonce renoncé renoncent renonçant renoncera renoncerait renonceront".split()),
    ("fr", "rachet~", "racheter",
     "rachète racheté rachetée rachètent rachetait rachètera racheter".split()),
    ("fr", "abandonn~", "abandonner",
     "abandonne abandonné abandonnée abandonnent abandonnera abandonnait".split()),
    ("fr", "bloqu~", "bloquer", "bloque bloqué bloquée bloquent bloquera bloquait".split()),
    ("fr", "autoris~", "autoriser",
     "autorise autorisé autorisée autorisent autorisera autorisait".split()),
    ("fr", "approuv~", "approuver", "approuve approuvé approuvée approuvent approuvera".split()),
    ("fr", "finalis~", "finaliser", "finalise finalisé finalisée finalisent finalisera".split()),
    ("fr", "negoci~", "négocier",
     "négocie négocié négocient négocieraient négociera négociait".split()),
    ("fr", "interromp~", "interrompre",
     "interrompt interrompu interrompue interrompues interrompent".split()),
    ("en", "acquir~", "acquire", "acquire acquires acquired acquiring".split()),
    ("en", "abandon~", "abandon", "abandon abandons abandoned abandoning".split()),
    ("en", "block(s|ed|ing)?", "block", "block blocks blocked blocking".split()),
    ("en", "approv(e|es|ed|ing)", "approve", "approve approves approved approving".split()),
    ("en", "terminat~", "terminate", "terminate terminates terminated terminating".split()),
    ("en", "withdr(aw|aws|ew|awn|awing)", "withdraw",
     "withdraw withdraws withdrew withdrawn withdrawing".split()),
    ("en", "scrap(s|ped|ping)?", "scrap", "scrap scraps scrapped scrapping".split()),
    ("en", "negotiat~", "negotiate", "negotiate negotiates negotiated negotiating".split()),
]
TEXT = ("Acme a renoncé au rachat de Globex, que la Commission européenne avait bloqué. "
        "The board of Globex approved the offer after Acme withdrew its earlier proposal. ")


def stem_coverage() -> tuple[int, int]:
    """Forms matched by their stem entry, over all forms."""
    found = total = 0
    for _, stem, _, forms in FORMS:
        regex = re.compile(compile_source(stem, {}))
        for form in forms:
            total += 1
            found += bool(regex.fullmatch(fold(form)) or regex.match(fold(form)))
    return found, total


def lemma_coverage(lemmatize: object) -> tuple[int, int]:
    """Forms the lemmatiser reduces to their entry's lemma, over all forms."""
    found = total = 0
    for language, _, lemma, forms in FORMS:
        for form in forms:
            total += 1
            found += lemmatize(form, lang=language) == lemma  # type: ignore[operator]
    return found, total


def words_per_second(read: object, text: str, rounds: int = 200) -> float:
    """How many words of `text` a reader gets through per second."""
    words = len(text.split()) * rounds
    started = time.perf_counter()
    for _ in range(rounds):
        read(text)  # type: ignore[operator]
    return words / (time.perf_counter() - started)


def main() -> None:
    found, total = stem_coverage()
    stems = re.compile("|".join(compile_source(stem, {}) for _, stem, _, _ in FORMS))
    print(f"forms: {total} ({len(FORMS)} entries, fr and en)")
    print(f"stems (~) on folded text:   {found}/{total} forms found,"
          f" {words_per_second(lambda t: stems.findall(fold(t)), TEXT * 20):,.0f} words/s")
    try:
        import simplemma
    except ImportError:
        print("simplemma:                  not installed (pip install simplemma to compare)")
        return
    found, total = lemma_coverage(simplemma.lemmatize)

    def lemmatise(text: str) -> list[str]:
        return [simplemma.lemmatize(word, lang=("fr", "en")) for word in text.split()]

    print(f"simplemma lemmas:           {found}/{total} forms found,"
          f" {words_per_second(lemmatise, TEXT * 20, rounds=20):,.0f} words/s")
    misses = [f"{form}->{simplemma.lemmatize(form, lang=lang)}" for lang, _, lemma, forms in FORMS
              for form in forms if simplemma.lemmatize(form, lang=lang) != lemma]
    print("simplemma misses:", ", ".join(misses))


if __name__ == "__main__":
    main()
