"""Word lists shared by the extractors, as regex fragments over folded text."""

from __future__ import annotations

import re

#: Nouns and verbs that make a sentence about a deal rather than about a company.
DEAL_WORDS = (
    r"deal|merger|mergers|acquisitions?|acquir\w*|takeover|buyout|purchase|purchasing|buy|buys"
    r"|buying|bought|transaction|tie-up|combination|bid|bids|bidder|offer|offers|sale|sell|sells"
    r"|discussions|suitors|go-shop|(?:take|takes|took|taken|taking) (?:full )?control"
    r"|(?:pris|prend|prendre|prise) (?:le )?controle"
    r"|selling|sold|talks|negotiat\w*|divest\w*|suitor|agreement|rachat|racheter|rachete|rachetee"
    r"|acquisition|acquerir|fusion|fusionner|operation|cession|ceder|vente|vendre|offre|opa"
    r"|pourparlers|negociations?|negocier|accord|rapprochement|mariage|reprise|repreneur"
    r"|candidat au rachat|achat|acheter"
)
#: Regulators, courts and governments: their probes and rulings move a deal's status.
AUTHORITIES = (
    r"ftc|federal trade commission|doj|department of justice|justice department|cma"
    r"|competition and markets authority|european commission|commission europeenne|commission"
    r"|brussels|bruxelles|eu|ue|samr|cfius|regulators?|regulatory|regulateurs?|antitrust"
    r"|competition (?:authority|watchdog|regulators?|authorities)|watchdogs?|autorite|autorites"
    r"|authority|agency"
    r"|gendarme|government|gouvernement|administration|white house|maison blanche|trump"
    r"|ofcom|accc|kftc|jftc|cade|authorities|vestager|khan|judge|juge|court|cour|tribunal"
    r"|lawmakers|senators?|congress|ministry|ministere|minister|ministre|agency|agence"
    r"|state attorneys? general|attorneys general|procureurs?|bundeskartellamt"
)
DEAL_WORDS_RE = re.compile(rf"\b(?:{DEAL_WORDS})\b")
AUTHORITIES_RE = re.compile(rf"\b(?:{AUTHORITIES})\b")
#: Nouns that refer back to the deal the article is about.
ANAPHORA_RE = re.compile(
    r"\b(?:the|this|that|its|their|his|le|la|l'|cette|cet|ce|les|des|son|sa|leur)\s*"
    r"(?:\$?[\d.,]+[- ]?(?:billion|bn|milliards?)(?: de dollars| d'euros)? |[\w-]+ |)"
    r"(?:deal|merger|acquisition|takeover|buyout|purchase|transaction|tie-up|combination"
    r"|bid|offer|sale|talks|negotiations|rachat|fusion|operation|transaction|cession|vente"
    r"|offre|pourparlers|negociations|discussions|accord|rapprochement|projet|mariage"
    r"|agreement)\b"
)
#: Words of a decision or a date to meet: a sentence with one may set a deadline.
DECISION_RE = re.compile(
    r"\b(?:decision|decisions|decid\w*|ruling|rule|rules|verdict|deadline|trancher\w*"
    r"|statuer\w*|se prononcer\w*|date limite|echeance|delai|date butoir|report|rapport"
    r"|judgment|jugement|hearing|heard|audience|trial|proces|vote|conclusions?|avis|court"
    r"|tribunal)\b"
)
#: Nouns that name a deal: with one, a sentence naming only the buyer is about the deal.
DEAL_NOUN_RE = re.compile(
    r"\b(?:deal|merger|takeover|acquisition|buyout|purchase|transaction|bid|offer|talks"
    r"|negotiations|sale|rachat|fusion|operation|offre|cession|vente|pourparlers|negociations"
    r"|discussions|accord|opa|reprise"
    r"|(?:the|their|its|this|his|l'|cet|leur|son) (?:merger |acquisition |purchase )?agreement)\b"
)

