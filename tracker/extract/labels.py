"""Deadline labels: a short English noun phrase saying what is due, read from the sentence.

Labels are English whatever the article's language: the report around them is English,
and one deal's deadlines often come from French and English articles alike, so
"decision" and "décision" would read as two things. Unknown: "deadline".
"""

from __future__ import annotations

import re

# What is due, as (label, pattern over folded text). The keyword nearest the date wins;
# on a tie, the earlier entry.
_WHAT: list[tuple[str, str]] = [
    ("go-shop", r"go-shop|go shop"),
    ("regulatory decision",
     r"(?:complet\w*|conclu\w*|finish\w*|end\w*|wrap\w* up|achev\w*|termin\w*|boucl\w*)"
     r" (?:its |their |the |son |sa |leur |l')?(?:review|probe|investigation|inquiry|examen"
     r"|enquete)"),
    ("expiry", r"expir\w*|runs? out|lapses?|prend fin|arrive a echeance"),
    ("filing", r"depos\w*|file|files|filing|submit\w*|soumett\w*|notif\w*|lodg\w*"),
    ("shareholder vote", r"vote|votes|voting|votera\w*|voter|scrutin|assemblee generale"
                         r"|special meeting|shareholder meeting"),
    ("remedies", r"remed\w*|concessions?|engagements|remedes|mesures correctives"),
    ("response", r"respond\w*|reply|replies|repond\w*|reponse|answer"),
    ("divestiture", r"divest\w*|cession|ceder|cede|se separer|revend\w*|spin off|spin-off"
                    r"|dispose of|unwind\w*|defaire"),
    ("sale", r"sell|sells|selling|sale|vente|vendre|vend"),
    ("ban", r"ban|bans|banned|banning|bar|bars|barred|barring|interdi\w*|prohibit\w*"
            r"|shut down|shutdown"),
    ("end of talks", r"(?:conclude|concluding|complete|finish|wrap up|conclure|terminer)"
                     r" (?:the |their |its |les |leurs |ses )?(?:talks|negotiations|discussions"
                     r"|pourparlers|negociations)|aboutir|aboutissent|aboutiront"),
    ("agreement", r"reach\w* (?:a |an )?(?:deal|agreement)|parven\w* a un accord"
                  r"|trouver un accord|strike a deal|sign\w* (?:a |an |the )?(?:deal|agreement)"),
    ("trial", r"trial|proces"),
    ("hearing", r"hearings?|heard|audience"),
    ("closing", r"close|closes|closing|complete|completes|completed|completion|completing"
                r"|finali[sz]\w*|boucl\w*|achev\w*|consummat\w*|realis\w*|conclu\w*"
                r"|long[- ]stop|outside date|(?:date limite|deadline) (?:de |of )?(?:leur |l'|the "
                r"|their )?(?:merger )?(?:accord|agreement)"),
    ("decision", r"decision|decisions|decid\w*|rule|rules|ruling|verdict|trancher\w*|tranche\w*"
                 r"|statuer\w*|se prononc\w*|prononcer\w*|weigh\w*|avis|jugement|judgment"
                 r"|determin\w*"
                 r"|review|probe|investigation|examen|enquete|approv\w*|feu vert|report back"
                 r"|(?:final |provisional )?(?:report|findings|conclusions)|rapport"),
]
_WHAT_RE = re.compile("|".join(rf"\b(?P<k{i}>{p})\b" for i, (_, p) in enumerate(_WHAT)))
_COURT = re.compile(r"\b(?:judges?|juges?|court|cour|tribunal|justice|jury|trial|proces)\b")
_REGULATOR = re.compile(
    r"\b(?:ftc|doj|cma|samr|cfius|amf|sec|ofcom|accc|kftc|jftc|cade|regulators?|regulatory"
    r"|regulateurs?|antitrust|competition|concurrence|watchdogs?|authority|autorite|autorites"
    r"|authorities|commission|brussels|bruxelles|eu|ue|european|europeenne|bundeskartellamt"
    r"|gendarme|agency|agence)\b"
)
_GOVERNMENT = re.compile(
    r"\b(?:government|gouvernement|administration|white house|maison blanche|president"
    r"|trump|ministry|ministere|minister|ministre|treasury|tresor|state department"
    r"|secretary|secretaire d'etat)\b"
)
_OFFER = re.compile(r"\b(?:offer|offre|tender|opa|ope|bid)\b")
_SHAREHOLDERS = re.compile(r"\b(?:shareholders?|stockholders?|actionnaires?|investors?)\b")
_CLAUSE_MARKS = (";", ": ", " - ")
_PURPOSE = re.compile(r"^\W*(?:[\w'-]+\W+){0,3}?(?:to|pour|afin de|in which to|de|d')\s*$")


def deadline_label(folded: str, start: int, end: int, context: str = "") -> str:
    """What is due by the date at folded[start:end]: "sale", "court ruling"...

    `context` (the sentence before, folded) can say who acts when this one says
    only "elle" or "it": "La Commission... Elle a jusqu'au 7 décembre pour se prononcer".
    """
    best: tuple[int, int, str, str] | None = None
    low, high = _clause(folded, start, end)
    for match in _WHAT_RE.finditer(folded, low, high):
        if start <= match.start() < end:
            continue
        rank = int(match.lastgroup[1:]) if match.lastgroup else 0
        if match.end() <= start:
            distance = start - match.end()
        else:
            # After the date, only a purpose counts fully: "has until May 10 to decide",
            # not "must sell by May 10 or face a ban".
            gap = folded[end:match.start()]
            distance = len(gap) * (1 if _PURPOSE.match(gap) else 3)
        if best is None or (distance, rank) < best[:2]:
            best = (distance, rank, _WHAT[rank][0], match.group())
    if best is None:
        return "deadline"
    return _qualified(best[2], best[3], folded) or _qualified(best[2], best[3], context) or best[2]


def _clause(folded: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the part of the sentence around [start, end) up to a ";", ":" or dash."""
    low = max((folded.rfind(mark, 0, start) for mark in _CLAUSE_MARKS), default=-1)
    ends = [i for i in (folded.find(mark, end) for mark in _CLAUSE_MARKS) if i >= 0]
    return low + 1, min(ends, default=len(folded))


def _qualified(label: str, keyword: str, folded: str) -> str | None:
    """The label with who must act, where `folded` says it; None when it does not."""
    if label == "decision":
        if keyword in ("jugement", "judgment", "verdict") or _COURT.search(folded):
            return "court ruling"
        if _SHAREHOLDERS.search(folded):
            return "shareholder vote"
        if _REGULATOR.search(folded):
            return "regulatory decision"
        if _GOVERNMENT.search(folded):
            return "government decision"
        return None
    if label in ("expiry", "filing"):
        return f"offer {label}" if _OFFER.search(folded) else label
    if label == "shareholder vote" and not _SHAREHOLDERS.search(folded):
        return "vote"
    return label
