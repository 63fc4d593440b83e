"""Names of every party of a deal: aliases of the buyer and the seller, phrases that are
never a mention, and deals that share a company told apart by the other party."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.model import NegotiationReported
from tracker.config import load_config
from tracker.errors import ConfigError
from tracker.extract import Extractor
from tracker.model import Article, Deal

FOX = Deal(id="disney-fox", title="Disney / Fox", acquirer="Walt Disney", target="21st Century Fox",
           aliases=("Fox",), acquirer_aliases=("Disney",), exclude=("Fox News",))
HONDA = Deal(id="honda-nissan", title="Honda / Nissan", acquirer="Honda", target="Nissan")
RENAULT = Deal(id="renault-nissan", title="Renault / Nissan", acquirer="Renault", target="Nissan")
STELLA = Deal(id="stella-auto", title="Stella / Auto", acquirer="Stella", target="Auto Group")
AUTO = Deal(id="auto-ren", title="Auto / Ren", acquirer="Auto Group", target="Ren Motors",
            seller="Ren Holding", seller_aliases=("RH",))


def stages(text: str, *deals: Deal, title: str = "") -> set[tuple[str, str]]:
    article = Article(feed="news", key="k", link="https://news.example/1", title=title,
                      text=text, published=datetime(2018, 6, 1, 12, tzinfo=UTC), language="en")
    return {(e.deal_id, e.stage) for e in Extractor(deals).extract(article)
            if isinstance(e, NegotiationReported)}


def test_an_acquirer_alias_names_the_buyer() -> None:
    assert stages("Disney agreed to buy 21st Century Fox's film studios for $52bn.", FOX) == {
        ("disney-fox", "agreed")}


def test_an_excluded_phrase_is_no_mention() -> None:
    text = "Fox News anchors said the network would not be sold, Disney said in a statement."
    assert stages(text, FOX) == set()


def test_a_seller_alias_names_the_seller() -> None:
    text = "RH agreed to sell Ren Motors to Auto Group for $3bn."
    assert stages(text, AUTO) == {("auto-ren", "agreed")}


def test_a_collapse_is_recorded_against_the_deal_whose_other_party_is_named() -> None:
    text = "Honda and Nissan called off their merger talks on Thursday."
    assert stages(text, HONDA, RENAULT) == {("honda-nissan", "abandoned")}


def test_a_shared_company_alone_decides_nothing() -> None:
    # Auto Group is the target of one deal and the buyer in the other: nothing says which
    assert stages("Auto Group said its talks collapsed.", STELLA, AUTO) == set()


def test_the_other_party_decides_between_deals_sharing_a_company() -> None:
    text = "Auto Group agreed to buy Ren Motors for $3bn."
    assert stages(text, STELLA, AUTO) == {("auto-ren", "agreed")}


def write(tmp_path: Path, deal: str) -> Path:
    path = tmp_path / "tracker.toml"
    path.write_text(f'[[deals]]\nid = "d"\nacquirer = "A"\ntarget = "B"\n{deal}', "utf-8")
    return path


def test_the_config_reads_every_name_of_a_deal(tmp_path: Path) -> None:
    path = write(tmp_path, 'seller = "C"\naliases = ["B Corp"]\nacquirer_aliases = ["A Inc"]\n'
                           'seller_aliases = ["C Group"]\nexclude = ["B Street"]\n')
    (deal,) = load_config(path).deals
    assert (deal.aliases, deal.acquirer_aliases, deal.seller_aliases, deal.exclude) == (
        ("B Corp",), ("A Inc",), ("C Group",), ("B Street",))


@pytest.mark.parametrize(("text", "key"), [
    ('seller_aliases = ["C Group"]\n', "seller_aliases"),
    ('exclude = "B Street"\n', "exclude"),
    ('acquirer_aliases = [""]\n', "acquirer_aliases"),
])
def test_bad_names_are_one_line_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=rf"\[\[deals\]\]\[0\]\.{key}"):
        load_config(write(tmp_path, text))
