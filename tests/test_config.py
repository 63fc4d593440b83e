"""Configuration: defaults, validation, one-line errors naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CONFIG_TEXT
from tracker.cli.starter import STARTER_CONFIG
from tracker.config import load_config, parse_duration
from tracker.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tracker.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_and_paths_relative_to_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, CONFIG_TEXT))
    assert config.database == tmp_path / "tracker.db"
    assert config.reports_dir == tmp_path / "reports"
    assert config.schedule.poll_every == 900 and config.schedule.report_at == (7, 0)
    assert config.max_feed_bytes == 20_000_000
    assert config.email is None
    assert config.deal("microsoft-activision").title == "Microsoft / Activision Blizzard"
    assert config.deal("microsoft-tiktok").target_names() == ("TikTok", "ByteDance")


def test_the_starter_config_is_valid(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, STARTER_CONFIG))
    assert [deal.id for deal in config.deals] == ["microsoft-tiktok"]


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ('[tracker]\ntimezone = "Mars/Olympus"\n', "[tracker].timezone", "IANA time zone"),
        ("[tracker]\nmax_feed_bytes = true\n", "[tracker].max_feed_bytes", "positive integer"),
        ('[tracker]\ndatabse = "x.db"\n', "[tracker].databse", "did you mean 'database'"),
        ('[schedule]\npoll_every = "5x"\n', "[schedule].poll_every", "duration"),
        ('[schedule]\nreport_at = "25:00"\n', "[schedule].report_at", "HH:MM"),
        ('[email]\nsender = "a@b.example"\n', "[email].to", "missing required key"),
        ('[email]\nsender = "a@b"\nto = ["x@y"]\nsmtp_port = "25"\n', "[email].smtp_port",
         "port"),
        ('[email]\nsender = "a@b\\nBcc: evil@x"\nto = ["x@y"]\n', "[email].sender",
         "e-mail address"),
        ('[[feeds]]\nname = "a"\n', "[[feeds]][0].url", "missing required key"),
        ('[[feeds]]\nname = "a"\nurl = "a.xml"\nlanguage = "de"\n', "[[feeds]][0].language",
         "fr or en"),
        ('[[deals]]\nid = "Bad Id"\nacquirer = "A"\ntarget = "B"\n', "[[deals]][0].id",
         "lowercase"),
        ('[[deals]]\nid = "a"\nacquirer = "A"\n', "[[deals]][0].target", "missing"),
        ('[[deals]]\nid = "a"\nacquirer = "A"\ntarget = "B"\naliases = "C"\n',
         "[[deals]][0].aliases", "list of names"),
        ('[[deals]]\nid = "a"\nacquirer = "A"\ntarget = "B"\n[[deals]]\nid = "a"\n'
         'acquirer = "A"\ntarget = "C"\n', "[[deals]][1].id", "duplicate"),
        ("deals = 3\n", "[[deals]]", "array of tables"),
        ("[extra]\n", "extra", "unknown key"),
        ('[report]\nbase_url = "ftp://x.example/"\n', "[report].base_url", "http(s) URL"),
        ('[report]\nbase_url = "https://x.example/?a=1"\n', "[report].base_url", "http(s)"),
        ('[report]\nbase_url = "/var/www/deals"\n', "[report].base_url", "http(s) URL"),
    ],
)
def test_bad_values_name_the_file_and_the_key(tmp_path: Path, text: str, key: str,
                                              problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert key in message and problem in message
    assert "\n" not in message


def test_invalid_toml_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[tracker\ndatabase = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_a_missing_file_is_an_error_only_when_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="tracker init"):
        load_config(tmp_path / "absent.toml")
    defaults = load_config(tmp_path / "absent.toml", must_exist=False)
    assert not defaults.found and defaults.database == tmp_path / "tracker.db"


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("15m", 900), ("1h", 3600),
                                                ("2d", 172800)])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


FULL = """\
[tracker]
database = "t.db"
timezone = "Europe/Paris"
reports_dir = "out"
max_feed_bytes = 1000
connect_timeout = 5
read_timeout = 5

[schedule]
poll_every = "15m"
report_at = "07:00"

[email]
smtp_host = "localhost"
smtp_port = 25
sender = "tracker@example.org"
to = ["desk@example.org"]
starttls = false
username = ""

[report]
base_url = "https://desk.example.org/deals"

[[feeds]]
name = "tech-fr"
url = "https://example.org/rss.xml"
language = "fr"

[[deals]]
id = "microsoft-tiktok"
title = "Microsoft / TikTok US"
acquirer = "Microsoft"
target = "TikTok"
seller = "ByteDance"
aliases = ["ByteDance"]
"""
REQUIRED = {"sender", "to", "name", "url", "id", "acquirer", "target"}
KEYS = [line.split(" = ")[0] for line in FULL.splitlines() if " = " in line]


def test_the_full_example_is_valid(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    assert config.email is not None and config.email.to == ("desk@example.org",)
    assert config.base_url == "https://desk.example.org/deals/"  # a page joined stays under it


@pytest.mark.parametrize("key", KEYS)
def test_every_key_of_the_wrong_type_is_named(tmp_path: Path, key: str) -> None:
    lines = [f"{key} = [1, 2]" if line.startswith(f"{key} = ") else line
             for line in FULL.splitlines()]
    path = write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f".{key}: expected " in message and "\n" not in message


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_every_missing_required_key_is_named(tmp_path: Path, key: str) -> None:
    lines = [line for line in FULL.splitlines() if not line.startswith(f"{key} = ")]
    with pytest.raises(ConfigError, match=rf"\.{key}: missing required key"):
        load_config(write(tmp_path, "\n".join(lines) + "\n"))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[tracker]\nread_timeout = inf\n", "[tracker].read_timeout"),
        ("[tracker]\nconnect_timeout = 1e400\n", "[tracker].connect_timeout"),
        ('[schedule]\npoll_every = "99999999999999d"\n', "[schedule].poll_every"),
        ('[tracker]\ntimezone = "Europe"\n', "[tracker].timezone"),
        ('[[feeds]]\nname = "a"\nurl = "ftp://example.org/rss"\n', "[[feeds]][0].url"),
    ],
)
def test_values_that_would_fail_later_are_refused_now(tmp_path: Path, text: str,
                                                      key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: {key}: ")
