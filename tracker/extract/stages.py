"""Negotiation stages: what one sentence says about where a deal stands."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from tracker.extract.matching import trie_pattern
from tracker.extract.vocabulary import AUTHORITIES_RE, DEAL_WORDS_RE

_D = r"(?:deal|merger|acquisition|takeover|buyout|purchase|transaction|tie-up|combination|sale)"
_DFR = r"(?:rachat|acquisition|fusion|operation|transaction|cession|vente|rapprochement|offre)"
_OBJ = r"(?:(?:the|its|his|her|their|a|an|this|that)\s+)?(?:[\w$.,'-]+\s+){0,4}?"
_OBJFR = r"(?:(?:le|la|l'|les|son|sa|leur|cette|ce|cet|un|une)\s*)(?:[\w$.,'-]+\s+){0,4}?"

# Each stage: patterns over a folded clause. Earlier stages in this list win a tie.
_PATTERNS: dict[str, list[str]] = {
    "approved_by_court": [
        r"\b(?:reject|rejected|rejects|denied|denies|deny|refused|refuses|dismissed|dismisses)"
        r"\s+(?:[\w'-]+\s+){0,4}?(?:request|bid|attempt|motion|injunction|effort|case|bids|suit"
        r"|lawsuit|challenge)\b",
        r"\b(?:rejette|rejete|deboute|refuse)\w*\s+(?:[\w'-]+\s+){0,5}?(?:demande|requete"
        r"|recours|injonction|tentative)\b",
    ],
    "rejected": [
        r"\b(?:reject|rejected|rejects|rebuff|rebuffed|rebuffs|spurn|spurned|spurns)\s+"
        r"(?:[\w'$.-]+\s+){0,5}?(?:offer|bid|proposal|approach|deal|overture|merger|takeover"
        r"|acquisition)",
        r"\b(?:rejet|rejett|rejete|refus|ecart|econdu|repouss)\w*\s+(?:[\w'$.-]+\s+){0,5}?(?:l'|d')?(?:offre|proposition"
        r"|avances|rachat|de vendre|de ceder|fusion|operation)\b",
    ],
    "abandoned": [
        r"\bcall(?:s|ed|ing)? off\b", r"\bterminat(?:e|es|ed|ing|ion)\b(?! fee)",
        r"\babandon(?:s|ed|ing|ment)?\b", r"\bscrap(?:s|ped|ping)?\b",
        r"\bwalk(?:s|ed|ing)? away\b", r"\bpull(?:s|ed|ing)? out\b", r"\bback(?:s|ed)? out\b",
        r"\bdrop(?:s|ped|ping)? (?:[\w'$.-]+ ){0,3}?(?:bid|offer|plan|pursuit|deal|attempt"
        r"|acquisition|proposal|takeover)",
        r"\bno longer (?:in talks|pursu\w*|interested|negotiating|plans? to|intends? to|going ahead"
        r"|for sale|wants? to|seeking|proceeding)\b",
        r"\bend(?:s|ed|ing)? (?:the |their |its )?(?:talks|negotiations|discussions|deal"
        r"|merger|agreement|pursuit)\b",
        r"\b(?:ending|mettant fin a(?:ux)?) (?:[\w-]+ ){0,3}?(?:of |de |d')?(?:talks|negotiations"
        r"|discussions|negociations|pourparlers|tractations)\b",
        r"\bcollaps(?:e|ed|es)\b", r"\bf[ae]ll(?:s)? (?:apart|through)\b",
        r"\bturn(?:s|ed)? down\b", r"\bpull(?:s|ed|ing)? the plug\b", r"\bditch(?:es|ed)?\b",
        r"\b(?:deal|merger|takeover|acquisition) (?:is|was) (?:now )?dead\b",
        r"\bannul(?:e|ee|es|ent|ation)\b", r"\benterr\w*\b",
        r"\b(?:will|would|wo|did) ?(?:not|n't) (?:sell|proceed|pursue|go ahead|move forward)\b",
        r"\brenon(?:ce|cent|cer|ce a|cait)\w*\b", r"\babandonn\w*\b", r"\bjett\w* l'eponge\b",
        r"\b(?:met|mettent|mis|mettre|mettait) (?:un terme|fin)\b", r"\brompu\w*\b",
        r"\brupture\b(?! de contrat)", r"\bechec\b", r"\bechou\w*\b", r"\bcapot\w*\b",

        r"\bne (?:vendra|cedera|veut|souhaite) (?:pas|plus)\b", r"\bse retir\w*\b",
        r"\bretir\w* (?:son|sa|leur) (?:offre|proposition)\b", r"\btorpill\w*\b",
        r"\bn'est plus (?:candidat|interesse)\b",
    ],
    "completed": [
        rf"\b(?:complet(?:e|es|ed|ing)|clos(?:e|es|ed|ing)|finali[sz](?:e|es|ed|ing))\s+(?!of\b){_OBJ}"
        rf"{_D}\b",
        rf"\b{_D}s?\b[^.;]{{0,60}}?\b(?:has|have|was|is|were|had)\s+(?:(?:officially|finally"
        r"|formally|now|been)\s+)*(?:closed|completed|finali[sz]ed)\b",
        r"\b(?:took|takes|taken|taking) (?:full )?(?:control|ownership|possession)\b",
        r"\bnow owns\b", r"\bis now (?:part of|owned by)\b",
        rf"\b{_D}s?(?:\s+(?:for|of|with|between)\s+[\w'.-]+(?:\s+[\w'.-]+)?)?\s+"
        r"(?:officially |finally |formally )?(?:closed|completed)\b",
        r"\bbecame (?:the )?(?:new )?owner\b",
        rf"\b(?:finalis|boucl|conclu|achev|parachev|realis)\w*\s+{_OBJFR}{_DFR}\b",
        rf"\b{_DFR}\b[^.;]{{0,60}}?\b(?:est|a ete|etait|sont|ont ete|avait ete)\s+"
        r"(?:desormais |officiellement |enfin |definitivement )?"
        r"(?:finalisee?|bouclee?|effective|conclue?|achevee?|realisee?)\b",
        r"\bfinalis(?:e|ee|es|ent|ait)\b", r"\bpris le controle\b",
        r"\bprend le controle\b", r"\best desormais (?:proprietaire|la propriete)\b",
    ],
    "blocked": [
        r"\bblock(?:s|ed|ing)?\b", r"\bprohibit(?:s|ed|ing|ion)?\b",
        r"\b(?:sued|sues|suing|sue|lawsuit|complaint|moved|moves|seeks|seeking|sought|filed|files"
        r"|voted|votes|went to court|goes to court|going to court|acted|acts)\s+"
        r"(?:[\w'-]+\s+){0,5}?to (?:block|stop|halt|unwind|prevent)\b",
        r"\b(?:preliminary )?injunction\b", r"\bveto(?:es|ed)?\b", r"\brestraining order\b",
        r"\bbar(?:s|red|ring)\s+(?:[\w'-]+\s+){0,3}?from\b",
        r"\border(?:s|ed)?\s+(?:[\w'-]+\s+){0,3}?to (?:unwind|reverse|undo)\b",
        r"\bchalleng(?:e|es|ed|ing)\s+(?:[\w'-]+\s+){0,3}?(?:deal|merger|acquisition|takeover"
        r"|purchase)\b",
        r"\bbloqu\w*\b", r"\binterdi[ts]\w*\b", r"\bs'oppos\w*\b", r"\bveto\b",
        r"\b(?:attaqu|poursui|assign)\w* (?:en justice|devant)\b", r"\bsaisi\w* la justice\b",
        r"\bporte plainte\b",
        r"\bordonn\w*\s+(?:[\w'-]+\s+){0,4}?(?:de ceder|la cession|de revendre|de se separer"
        r"|de defaire)\b",
        rf"\bcontest\w*\s+{_OBJFR}{_DFR}\b",
    ],
    "approved": [
        r"\bapprov(?:e|es|ed|ing)\b", r"\bclear(?:s|ed|ing)\b", r"\bclearance\b",
        r"\bgreen[- ]light(?:s|ed)?\b", r"\bsign(?:s|ed)? off\b",
        r"\b(?:won|wins|received|receives|secured|secures|obtained|obtains|granted|gets|got)"
        r"\s+(?:[\w'-]+\s+){0,3}?(?:approval|clearance|blessing|nod)\b",
        r"\brul(?:ed|es) in favou?r\b", r"\bgave (?:its|their) (?:blessing|approval)\b",
        r"\bfeu vert\b", r"\bapprouv\w*\b", r"\bautoris(?:e|ee|es|ees|ent|ait|ation)\b",
        r"\bvalid(?:e|ee|ent|ait|ation)\b", r"\bdonn\w* son (?:accord|aval)\b",
        r"\b(?:obtenu|obtient|recu|recoit)\s+(?:[\w'-]+\s+){0,3}?(?:aval|feu vert|autorisation"
        r"|approbation|accord des autorites)\b",
    ],
    "under_review": [
        r"\binvestigat\w*\b", r"\bprob(?:e|es|ed|ing)\b", r"\breview(?:s|ed|ing)?\b",
        r"\bscrutin\w*\b", r"\binquir(?:y|ies)\b", r"\bexamin(?:e|es|ed|ing|ation)\b",
        r"\blook(?:s|ing|ed)? into\b", r"\bsecond request\b", r"\bphase (?:2|two|ii)\b",
        r"\bin-depth\b", r"\brefer(?:s|red|ral)\b", r"\bstatement of objections\b",
        r"\bobjections\b", r"\bconcerns (?:about|over)\b", r"\bnotif(?:y|ied|ication)\b",
        r"\benquete\b", r"\bexamen\b", r"\bexamin\w*\b", r"\bse pench\w*\b",
        r"\bpasse\w* au crible\b", r"\binvestigation\b", r"\bapprofondi\w*\b", r"\bscrut\w*\b",
        r"\bintervention notice\b", r"\binterven(?:e|es|ed|ing|tion)\b",
        r"\bprovisional (?:findings|conclusions)\b", r"\bremed(?:y|ies)\b", r"\bconcessions?\b",
        r"\b(?:could|would|may) (?:harm|hurt|reduce|lessen|stifle) competition\b",
        r"\b(?:competition|antitrust) concerns\b",
        r"\b(?:raised?|raises|raising) (?:serious |significant |substantial )?concerns\b",
        r"\bserious doubts\b", r"\bdoutes serieux\b",
        r"\bconclusions provisoires\b", r"\bremedes\b", r"\bengagements\b",
        r"\bsous la loupe\b", r"\bgriefs\b", r"\betudi(?:e|ent|er|ait)\b", r"\binquietudes?\b",
        r"\bpreoccupations?\b",
        r"\b(?:est|sont|ete) saisie?s?\b", r"\bnotifi\w*\b",
    ],
    "agreed": [
        r"\bagree(?:s|d|ing)?\s+(?:[\w,]+\s+){0,3}?to (?:buy|acquire|sell|merge|be acquired"
        r"|be bought|a deal|terms"
        r"|combine|purchase|take over|an acquisition)\b",
        r"\bagreement to (?:buy|acquire|sell|merge|be acquired|purchase|combine)\b",
        r"\b(?:definitive|binding) agreement\b",
        r"\b(?:reach|reached|reaches|struck|strikes|strike|sealed|seals|inked|inks)"
        r" (?:a|an|the) (?:[\w$.,-]+ ){0,3}?(?:deal|agreement)\b",
        r"\bsign(?:s|ed)? (?:a|an|the) (?:[\w$.,-]+ ){0,3}?(?:deal|agreement|contract)\b",
        r"\baccept(?:s|ed|ing)? (?:[\w'$.,-]+\s+){0,4}?(?:offer|bid|proposal)\b",
        r"\bannounc(?:e|es|ed|ing) (?:a |an |its |the |plans to |that it (?:will|would) )?"
        r"(?:[\w$.,-]+ ){0,3}?(?:deal|agreement|acquisition|merger|buy|acquire|purchase)\b",
        # The lookahead first: fourteen lookbehinds tried at every offset cost 10x.
        r"\b(?=will |to )(?<!offer )(?<!offers )(?<!offered )(?<!bid )(?<!bids )(?<!proposal )"
        r"(?<!plan )(?<!plans )(?<!attempt )(?<!effort )(?<!talks )(?<!seeks )(?<!wants )"
        r"(?<!hopes )(?:will|to) (?:buy|acquire) [^.;]{1,80}? for"
        r" (?:about |around |roughly |nearly )?(?:\$|us\$|€|£|\d)",
        r"\b(?=will )(?<!offer )(?<!plans )(?<!hopes )will (?:buy|acquire|purchase|take over"
        r"|merge with)\b",
        r"\baccord definitif\b",
        r"\b(?:signe|conclu|trouve|scelle|paraphe|noue)\w* un accord\b",
        r"\bparven\w* (?:[\w'-]+ ){0,3}?a un accord\b", r"\bterrain d'entente\b",
        r"\bmis d'accord\b",
        r"\baccept\w* (?:l'offre|la proposition|de (?:vendre|ceder|se vendre|fusionner))\b",
        r"\bannonc\w* (?:le |l'|son |avoir |qu'il (?:allait|va) |la )?(?:rachat|acquisition"
        r"|fusion|achat|racheter|acquerir|accord)\b",
        r"\b(?:va|vont) (?:racheter|acquerir|fusionner|s'offrir)\b",
        r"\brach[eè]te\w* [^.;]{1,80}? pour (?:environ |pres de )?\d",
        r"\bs'offre\b", r"\bmet la main sur\b", r"\bse sont entendu\w*\b",
        r"\b(?:buys|acquires|snaps up|rachete|acquiert|achete) [^.;]{1,80}? (?:for|pour) "
        r"(?:about |around |some |environ |pres de )?(?:\$|us\$|€|£|\d)",
    ],
    "negotiating": [
        r"\b(?:in|into|enter|entered|enters) (?:[\w-]+ )?(?:talks|negotiations|discussions)\b",
        r"\bnegotiat(?:e|es|ed|ing|ions?)\b", r"\btalks (?:with|over|to|about|on)\b",
        r"\bconfirm(?:s|ed|ing)? (?:[\w'-]+ ){0,3}?(?:talks|interest|discussions|negotiations"
        r"|it is|that it|that|an offer|a bid|the approach)",
        r"\b(?:made|makes|make|submitted|submits|launched|launches|tabled|placed|put in)"
        r" (?:a|an) (?:[\w$.,-]+ ){0,4}?(?:offer|bid|proposal|approach)\b",
        r"\b(?:hostile|unsolicited|takeover|tender|rival|sweetened|revised|raised|improved)"
        r" (?:bid|offer)\b",
        r"\boffer(?:s|ed|ing)? to (?:buy|acquire|purchase|take over|complete|close|proceed"
        r"|go ahead)\b",
        r"\b(?:bid|bids|bidding) (?:for|to buy|to acquire)\b",
        r"\bpropos(?:e|es|ed|ing) (?:to buy|to acquire|an acquisition|a merger|a deal|to complete"
        r"|to close|to proceed|to go ahead)\b",
        r"\b(?:exploring|explores|explore|considering|weighing|pursuing|pursues)"
        r" (?:a |an |the )?(?:[\w-]+ )?(?:deal|sale|acquisition|purchase|bid|offer)\b",
        r"\bapproach(?:ed|es)? (?:[\w'-]+ ){0,3}?(?:about|over|with an offer)\b",
        r"\b(?:nearing|near|close to) (?:a |an )?(?:deal|agreement)\b",
        r"\b(?:resume[sd]?|continue[sd]?|pursue) (?:the |its |their )?(?:talks|discussions"
        r"|negotiations)\b",
        r"\bnegoci\w*\b", r"\bpourparlers\b", r"\bdiscussions? (?:avec|pour|en vue|sur)\b",
        r"\ben (?:\w+ )?discussions?\b", r"\bdiscussions (?:avancees|exclusives)\b",
        r"\boffre (?:\w+ ){0,2}?(?:de rachat|d'achat|publique|hostile|non sollicitee|amelioree"
        r"|d'acquisition)\b",
        r"\bopa\b",
        r"\bpropos\w* (?:\w+ ){0,3}?de (?:racheter|acquerir|reprendre|conclure|finaliser"
        r"|boucler)\b",
        r"\b(?:lanc|depos|fait|formul|soumis|presente|remis)\w* (?:une|son) (?:\w+ )?offre\b",
        r"\bcandidat (?:au|a la) (?:rachat|reprise)\b", r"\binteresse par\b",
    ],
}
_STAGE_OF = {"approved_by_court": "approved", "rejected": "abandoned"}


def _starts(items: list[Any]) -> tuple[set[str], bool] | None:
    """How every match of a parsed pattern begins: (literal prefixes, whether complete).

    Expansion stops once each prefix is long enough for a key; None when unknown.
    """
    found, complete = {""}, True
    for index, (op, av) in enumerate(items):
        if min(map(len, found)) >= _KEY + 2:  # room for an elision ("s'o...")
            return found, False
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT) and found == {""}:
            continue  # zero width: the match still starts with what follows
        part: tuple[set[str], bool] | None = None
        if op is _c.LITERAL:
            part = {chr(av)}, True
        elif op is _c.IN and len(av) <= 4 and all(o is _c.LITERAL for o, _ in av):
            part = {chr(v) for _, v in av}, True
        elif op is _c.BRANCH:
            branches = [_starts(list(b)) for b in av[1]]
            if None not in branches:
                part = (set().union(*(b[0] for b in branches if b)),
                        all(b[1] for b in branches if b))
        elif op is _c.SUBPATTERN:
            part = _starts(list(av[-1]))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == 0:
            inner, rest = _starts(list(av[2])), _starts(items[index + 1:])
            if inner is not None and rest is not None:
                return {f + x for f in found for x in inner[0] | rest[0]}, False
        if part is None:
            return (found, False) if found != {""} else None
        found = {f + x for f in found for x in part[0]}
        if not part[1]:
            return found, False
    return found, complete


#: How many first letters of a word the stage prefilter compares.
_KEY = 3
#: The word a match starts with; after an elision ("s'oppose") the word proper.
_FIRST_WORD = re.compile(r"(?:\w'(?=\w))?(\w+)")

def _stage_keys(patterns: list[str]) -> set[tuple[str, int]]:
    """The first letters (up to three) of the word every match of a stage begins with.

    Each key comes with how far before that word the match starts: 2 after an elision
    (`s'oppos` is keyed on "opp"). Raises ValueError for a pattern that cannot be keyed.
    """
    keys: set[tuple[str, int]] = set()
    for pattern in patterns:
        starts = _starts(list(_parser.parse(pattern)))
        if starts is None or not pattern.startswith("\\b"):
            raise ValueError(f"a stage pattern must start with \\b and a literal: {pattern}")
        for start in starts[0]:
            word = _FIRST_WORD.match(start)
            if word is None:
                raise ValueError(f"a stage pattern must start with a word: {pattern}")
            keys.add((word.group(1)[:_KEY], word.start(1)))
    return keys


def _compile(patterns: list[str]) -> re.Pattern[str]:
    """One regex for a stage; the word boundary every alternative starts with, factored out.

    Tested once per offset instead of once per alternative: the scan runs faster.
    """
    if all(p.startswith("\\b") for p in patterns):
        return re.compile(r"\b(?:" + "|".join(p[2:] for p in patterns) + ")")
    return re.compile("|".join(patterns))


_COMPILED = [(name, _compile(p)) for name, p in _PATTERNS.items()]
#: A word's first letters -> the stages a match starting there (or just before, after an
#: elision) may belong to. Matching is then tried only at those offsets, with `match`,
#: instead of scanning every clause with every stage's regex.
_KEYMAP: dict[str, list[tuple[int, int]]] = {}
for _index, _patterns in enumerate(_PATTERNS.values()):
    for _key, _back in sorted(_stage_keys(_patterns)):
        _KEYMAP.setdefault(_key, []).append((_index, _back))
# The scan finds the longest key a word starts with; a shorter key it also starts with
# ("in" for "int...") brings its stages along.
_KEYMAP = {key: sorted({*stages, *(s for n in range(1, len(key)) for s in
                                   _KEYMAP.get(key[:n], ()))}) for key, stages in _KEYMAP.items()}
_KEYS = re.compile(r"\b" + trie_pattern(sorted(_KEYMAP)))


def _trigger_offsets(text: str) -> dict[int, list[int]]:
    """For each stage (by index), the offsets of `text` where one of its matches may start.

    Ascending: an elision's offset (2 back) never precedes the word before it.
    """
    found: dict[int, list[int]] = {}
    for key in _KEYS.finditer(text):
        for stage, back in _KEYMAP[key.group()]:
            found.setdefault(stage, []).append(key.start() - back)
    return found


_RANK_ORDER = {n: i for i, n in enumerate(_PATTERNS)}
_STAGE_RANK = {"rumored": 0, "negotiating": 1, "agreed": 2, "under_review": 3, "approved": 4,
               "blocked": 4, "completed": 5, "abandoned": 5}
# A ruling or a closing is the news; talks, offers and probes in the same sentence are
# what it acts on ("rejected the offer", "cleared after a probe").
_DECISIVE = frozenset({"approved", "blocked", "completed", "abandoned"})
_PRELIMINARY = frozenset({"rumored", "negotiating", "under_review"})
_NEEDS_AUTHORITY = frozenset({"under_review", "approved", "blocked"})
_QUESTION = re.compile(r"\?\s*[\"'\u201d\u00bb)]*\s*$")
_DENIAL = re.compile(
    r"\b(?:den(?:y|ies|ied|ying)|denial|dementi\w*|dement(?:i|ent|ait|ir)\w*|refut\w*"
    r"|dismiss\w* (?:\w+ ){0,3}?(?:reports?|rumou?rs?|speculation)|declined to comment"
    r"|refused to comment|no comment|sans commentaire|pas souhaite commenter"
    r"|refuse de commenter|not (?:for sale|in talks)|pas a vendre|no (?:talks|plans?)"
    r"|aucune? (?:discussion|negociation|projet|intention))\b"
)
_RUMOR = re.compile(
    r"\b(?:reportedly|reported(?: that| by)?|according to (?:people|sources|persons|a person"
    r"|reports?|media|the (?:wall street journal|financial times|new york times|information"
    r"|times)|bloomberg|reuters|cnbc|axios|semafor|[a-z]+ news)|people (?:familiar|close|briefed"
    r"|with knowledge)|sources? (?:said|say|says|familiar|close)|person familiar|said to be"
    r"|is said to|are said to|rumou?r\w*|speculat\w*|unconfirmed|reports? (?:say|said"
    r"|suggest)|(?:media|press) reports?|familiar with the matter|selon (?:des |plusieurs |nos"
    r" |nos |de )?(?:sources|informations|medias|la presse|le |la |les |l')|d'apres (?:des"
    r" |plusieurs |nos )?(?:sources|informations|le |la |les |bloomberg|reuters|cnbc|axios)"
    r"|according to (?:the )?(?:wall street journal|financial times|information|wsj|ft)"
    r"|(?:serai(?:en)?t|aurai(?:en)?t|envisagerai(?:en)?t|pourrai(?:en)?t) |rumeur\w*"
    r"|proches? du dossier|source proche|sources proches|croit savoir|revele|rapporte)"
)
_CONFIRM = re.compile(r"\b(?:confirm\w*|officiel\w*|officially|announc\w*|annonc\w*)\b")
_NEGATION = re.compile(
    r"(?:\b(?:not|never|no|nor|without|sans|jamais|ni|pas|plus|failed to|fails to|yet to"
    r"|refused to|refuse de|unable to|faute de|failing to|fail to)\b|n't\b|\bn'|\bne\b)"
    r"[^,;]{0,25}$"
)
_MODAL = re.compile(
    r"(?:\b(?:could|might|may|would|should|will|shall|must|expected to|expects to|expect to"
    r"|set to|poised to|likely to|unlikely to|plans? to|planning to|aims? to|hopes? to|intends? to"
    r"|seeks? to|seeking to|threaten\w* to|want\w* to|wishes to|ready to|prepared to|preparing to"
    r"|about to|on track to|pourrai\w*|devrai\w*|pourra|pourront|devra|devront|va|vont|allait"
    r"|doit|doivent|has yet to|have yet to|reste a|restent a"
    r"|compte|espere|prevoit de|envisage\w* de|menace\w* de|souhaite|veut|vise a|pret a|prete a"
    r"|en passe de|sur le point de|afin de|awaiting|await|awaits|pending|needs?|requires?"
    r"|subject to|seeking|attend\w*|en attente d[eu]|soumis\w* a|sous reserve d[eu]|besoin d[eu]"
    r"|necessite\w*|preparing|prepares|floated|floats|considering|considers|weighing|weighs"
    r"|mulling|mulls|option of|possibility of|possible|potential|eventuel\w*|pouvoir|threat of"
    r"|menace d[eu]|risque d[eu]|risk of|pourrait|depends on|depend on|depend de|dependra de"
    r"|conditional on|contingent on|subordonne\w* a|hoping to|in a bid to|in an effort to"
    r"|aiming to|trying to|tries to|try to|tried to|cherch\w* a|pour tenter de|tente de)"
    r"\s+(?:[\w']+\s+){0,5}"
    r"|\b(?:to|pour|from|de|d'|in order to|until|jusqu'a)\s*(?:la |le |l')?)$"
)
_PLUPERFECT = re.compile(r"\b(?:had|avait|avaient|was|were|did)\b")
_UNLESS = re.compile(r"\b(?:unless|a moins que|a moins qu'|sauf si)\b")
_VOTERS = re.compile(r"\b(?:shareholders|actionnaires|stockholders)\b")
_CONDITION = re.compile(r"\b(?:if|unless|whether|si|s'il|s'ils|should the|au cas ou|en cas de)\b")
_SEGMENT = re.compile(r",\s+|;\s*|:\s+|\s+[-\u2014]\s+|\(|\)")
_RELATIVE = re.compile(r"^(?:which|who|whom|whose|qui|dont|lequel|laquelle|lesquels|ou)\b")
_IGNORED_WORDS = ("fee", "rupture", "regulators")  # every _IGNORED match holds one
_IGNORED = re.compile(r"\btermination fees?\b|\bbreak(?:-up)? fees?\b|\bindemnite de rupture\b"
                      r"|\bfrais de rupture\b|\bclause de rupture\b|\bin talks with regulators\b")


def _segments(folded: str) -> list[tuple[int, str]]:
    """Clauses split at commas and brackets, with their offsets."""
    parts, start = [], 0
    for match in _SEGMENT.finditer(folded):
        parts.append((start, folded[start:match.start()]))
        start = match.end()
    parts.append((start, folded[start:]))
    return parts


def _live_segments(folded: str, is_past: Callable[[str], bool]) -> list[tuple[int, str, bool]]:
    """Clauses that speak of the present, with whether each is a relative clause.

    Dated background is dropped; relative clauses ("Microsoft, which agreed to buy...")
    are kept apart: they only describe a party, except for an ongoing probe.
    """
    live, skip_next = [], False
    # A sentence without any past marker has none in its clauses: test it once.
    dated = is_past(folded)
    for start, segment in _segments(folded):
        stripped = segment.strip()
        if skip_next or not stripped:
            skip_next = False
            continue
        if dated and is_past(stripped):
            # A short dated lead-in ("In January 2022,") dates the clause that follows.
            skip_next = len(stripped.split()) <= 5
            continue
        live.append((start, segment, bool(_RELATIVE.match(stripped))))
    return live


# "after the collapse of", "weeks after a judge blocked it", "après l'échec de": what
# follows "after" is the past the news builds on, unless it is just past ("hours after").
_AFTER = re.compile(r"\b(?:apres|after|following|suite a|depuis|since|in the wake of"
                    r"|au lendemain d[eu])\b")
_WORD_BEFORE = re.compile(r"([\w']+)\s+$")
_JUST_AFTER = re.compile(r"^(?:hours|heures|minutes|shortly|peu|juste|just|moments|soon|the)$")
_SPAN = re.compile(r"^(?:days|weeks|months|years|decades|jours|semaines|mois|ans|annees"
                   r"|year|month|week)$")
# With no news before it, the part after "after" counts, except a noun phrase that
# recalls the past: "after the collapse of", "since the $69bn acquisition closed".
_AFTER_NOUN = re.compile(r"\b(?:apres|after|following|suite a|depuis|since)\s+"
                         r"(?:l'|le |la |les |the |its |their |sa |son |ses |this |that |a |an )"
                         r"(?:[\w$.,'-]+\s+){0,2}$")
_INFINITIVE = re.compile(r"\b(?:to|pour|de|d')\s*(?:la |le |l')?$")
_NEGATED_NEWS = re.compile(r"no longer|will|would|wo|did|ne |n'est")
_REPORTED = re.compile(
    r"\b(?:said|says|announced|announces|told [\w']+|confirmed|confirms|a annonce|a indique"
    r"|a precise|a fait savoir|a confirme|ont annonce|ont indique)\s+(?:[\w']+\s+){0,2}?"
    r"(?:that\s+|qu')?"
    r"(?:it|they|he|she|the company|the companies|il|elle|ils|elles)\s+(?:would|will|allait"
    r"|allaient|va|vont)\s+(?:[\w']+\s+){0,2}$"
)
_UNMODAL = re.compile(r"\b(?:voted|votes|vote|decided|decides|moved|a decide|ont decide"
                      r"|a vote|ont vote)\s+(?:to|de)\s+$")


def _guarded(clause: str, start: int, stage: str) -> bool:
    """Whether a trigger at `start` is negated, hypothetical or only intended."""
    before = clause[max(0, start - 40):start]
    if _CONDITION.search(clause[:start]) or _NEGATION.search(before) or _UNLESS.search(clause):
        return True
    if stage in ("under_review", "negotiating") and _INFINITIVE.search(before):
        return False  # "asked the CMA to examine", "teamed up to make an offer": that is news
    wider = clause[max(0, start - 60):start]
    if _REPORTED.search(wider):
        return False  # "the CMA said it would open a probe": reported speech, not a guess
    return bool(_MODAL.search(wider)) and not _UNMODAL.search(wider)


def _news_part(clause: str, *, strict: bool) -> str:
    """The clause up to the past it recalls: "X called off the deal | after a judge blocked it".

    Not `strict`, only a span of time ago ("three months after") makes the rest past.
    """
    for match in _AFTER.finditer(clause):
        before = _WORD_BEFORE.search(clause, max(0, match.start() - 20), match.start())
        word = before.group(1) if before else ""
        if strict and not _JUST_AFTER.match(word) or _SPAN.match(word):
            return clause[:match.start()]
    return clause


def _recalled(clause: str, start: int) -> bool:
    """Whether the trigger at `start` follows "after the ..." (a noun recalling the past)."""
    return bool(_AFTER_NOUN.search(clause[max(0, start - 60):start]))


def _stages_in(text: str, bounds: tuple[int, int], offsets: dict[int, list[int]], *,
               strict: bool) -> list[str]:
    """Stage names triggered in the clause text[bounds], guards applied, in pattern order.

    `offsets` are where each stage's matches may start (see `_trigger_offsets`). `strict`
    reads only the part before "after"; otherwise a recalled trigger makes the whole
    clause background.
    """
    start = bounds[0]
    clause = _news_part(text[start:bounds[1]], strict=strict)
    end = start + len(clause)
    found: list[str] = []
    for index, (name, pattern) in enumerate(_COMPILED):
        if name in ("rejected", "abandoned", "blocked") and "approved_by_court" in found:
            continue  # "the judge rejected the bid to block" clears the deal
        for match in _matches(pattern, text, offsets.get(index, ()), start, end):
            at = match.start() - start
            if not strict and _recalled(clause, at):
                return []
            if name == "abandoned" and _NEGATED_NEWS.match(match.group()):
                found.append(name)  # the negation is the news: "no longer in talks"
                break
            if not _guarded(clause, at, name):
                found.append(name)
                break
    return found


def _matches(pattern: re.Pattern[str], text: str, offsets: Sequence[int], start: int,
             end: int) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(text[start:end])` finds, trying only the given offsets."""
    resume = start
    for offset in offsets[bisect.bisect_left(offsets, start):]:
        if offset >= end:
            return
        if offset < resume:
            continue
        match = pattern.match(text, offset, end)
        if match is not None:
            resume = match.end()
            yield match


@dataclass(frozen=True, slots=True)
class StageReading:
    """A stage read from a sentence, with the bounds of the clause that says it."""

    stage: str
    start: int
    end: int


def classify(folded: str, is_past: Callable[[str], bool], *, deal_words: bool | None = None,
             authority: bool | None = None) -> list[StageReading]:
    """The stages a sentence (folded) reports; none for a denial or a question.

    `deal_words` and `authority` say whether the sentence has deal words or names an
    authority, when the caller already knows (None: look).
    """
    if _QUESTION.search(folded) or len(folded) < 12:
        return []
    if authority is None:
        authority = AUTHORITIES_RE.search(folded) is not None
    if not (authority or (DEAL_WORDS_RE.search(folded) is not None if deal_words is None
                          else deal_words)):
        return []
    text = folded
    if any(word in folded for word in _IGNORED_WORDS):
        text = _IGNORED.sub(lambda m: " " * len(m.group()), folded)
    if text != folded:  # "in talks with regulators" is not a regulator acting
        authority = AUTHORITIES_RE.search(text) is not None
    found = _read_segments(text, is_past, authority, strict=True)
    if not found and _AFTER.search(text):
        # Nothing new before any "after": what follows it may be the news itself
        # ("gave Musk until Oct. 28, after he offered to go ahead").
        found = _read_segments(text, is_past, authority, strict=False)
    return _distinct(found, text)


def _read_segments(text: str, is_past: Callable[[str], bool], authority: bool, *,
                   strict: bool) -> list[StageReading]:
    """Stage readings of each live clause of a sentence."""
    offsets = _trigger_offsets(text)
    if not offsets:
        return []
    found: list[StageReading] = []
    for start, clause, relative in _live_segments(text, is_past):
        if relative and _PLUPERFECT.search(clause):
            continue
        for name in _stages_in(text, (start, start + len(clause)), offsets, strict=strict):
            if relative and name != "under_review":
                continue
            # A regulator or a court rejecting a deal blocks it; a seller (or its
            # shareholders) rejecting a bid ends it.
            blocks = name == "rejected" and authority
            found.append(StageReading("blocked" if blocks else _STAGE_OF.get(name, name),
                                      start, start + len(clause)))
    return _allowed(found, text, authority)


def _allowed(found: list[StageReading], text: str, authority: bool) -> list[StageReading]:
    """The readings a denial leaves, and probes and rulings only where someone can rule."""
    if not found:
        return found  # the two scans below cost more than the rest for most sentences
    denied = _DENIAL.search(text) is not None
    acting = authority or _VOTERS.search(text) is not None
    return [r for r in found if (r.stage not in _NEEDS_AUTHORITY or acting)
            and (not denied or r.stage == "approved")]


def _distinct(found: list[StageReading], text: str) -> list[StageReading]:
    """One reading per stage, the news kept over what it acts on, rumours marked."""
    stages = {r.stage for r in found}
    if stages & _DECISIVE:
        found = [r for r in found if r.stage not in _PRELIMINARY and r.stage != "agreed"]
    elif "agreed" in stages:
        found = [r for r in found if r.stage != "negotiating"]
    rumor = bool(_RUMOR.search(text)) and not _CONFIRM.search(text)
    readings: dict[str, StageReading] = {}
    for reading in found:
        stage = "rumored" if rumor and reading.stage in ("negotiating", "agreed") else reading.stage
        readings.setdefault(stage, StageReading(stage, reading.start, reading.end))
    return list(readings.values())
