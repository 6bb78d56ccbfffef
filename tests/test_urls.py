"""URL normalisation, sites and the compact seen-set: one home, used by --dedupe, stats and
duplicate-url (normalise = true)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.config import load_config
from archivekit.errors import ConfigError
from archivekit.urls import SeenSet, host, normalise_url
from tests.conftest import SEED
from tests.support import Cli

SAME = [
    "http://www.nytimes.com/2011/08/26/world/26drugs.html",
    "https://www.nytimes.com/2011/08/26/world/26drugs.html",
    "http://nytimes.com/2011/08/26/world/26drugs.html",
    "HTTP://WWW.NYTimes.com/2011/08/26/world/26drugs.html/",
    "http://www.nytimes.com:80/2011/08/26/world/26drugs.html",
    "http://www.nytimes.com/2011/08/26/world/26drugs.html#comments",
    "http://www.nytimes.com/2011/08/26/world/26drugs.html?utm_source=feed&utm_medium=rss",
    "http://www.nytimes.com/2011/08/26/world/26drugs.html?fbclid=x&gclid=y&_r=0",
    "http://www.nytimes.com//2011/08/26/world//26drugs.html",
]
DIFFERENT = [
    "http://www.nytimes.com/2011/08/26/world/26drugs.html?page=2",
    "http://www.nytimes.com/2011/08/26/world/26Drugs.html",  # paths are case-sensitive
    "http://www.nytimes.com:8080/2011/08/26/world/26drugs.html",
    "http://cooking.nytimes.com/2011/08/26/world/26drugs.html",
]


def test_spellings_of_one_url_normalise_alike() -> None:
    keys = {normalise_url(url) for url in SAME}
    assert len(keys) == 1
    assert all(normalise_url(url) not in keys for url in DIFFERENT)


def test_kept_parameters_are_sorted() -> None:
    assert normalise_url("http://a.com/x?b=2&a=1") == normalise_url("http://a.com/x?a=1&b=2")


def test_hosts() -> None:
    assert host("https://WWW.NYTimes.com./a") == "nytimes.com"
    assert host("http://cooking.nytimes.com:8080/") == "cooking.nytimes.com"
    assert host("http://[::1") == ""  # unparsable: no site, no crash


@given(st.text(max_size=80))
def test_normalisation_and_host_never_raise(text: str) -> None:
    key = normalise_url(text)
    assert isinstance(key, str)
    host(text)


@given(st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=200))
def test_seen_set_agrees_with_a_set(keys: list[int]) -> None:
    seen, truth = SeenSet(), set()
    for key in keys:
        masked = (key & 0x7FFF_FFFF_FFFF_FFFF) or 1
        assert seen.add(key) == (masked not in truth)
        truth.add(masked)
    assert len(seen) == len(truth)


def test_seen_set_grows_and_keeps_every_key() -> None:
    seen = SeenSet()
    keys = [n * 0x9E3779B97F4A7C15 % 2**63 + 1 for n in range(50_000)]
    assert all(seen.add(key) for key in keys)
    assert not any(seen.add(key) for key in keys[::7])
    assert len(seen) == 50_000


def test_duplicate_url_normalise_option(cli: Cli, tmp_path: Path) -> None:
    url, rest = SEED.read_text(encoding="utf-8").split("\n", 1)
    (tmp_path / "a.txt").write_text(f"{url}\n{rest}", encoding="utf-8")
    other = url.replace("http://www.", "https://") + "?utm_source=x"
    (tmp_path / "b.txt").write_text(f"{other}\n{rest}", encoding="utf-8")
    assert "duplicate-url" not in cli("validate", tmp_path).stdout
    config = tmp_path / "archive.toml"
    config.write_text("[duplicate-url]\nnormalise = true\n")
    result = cli("validate", tmp_path, "--config", config)
    assert "b.txt:1:1: warning[duplicate-url]" in result.stdout
    assert "(compared normalised)" in result.stdout
    config.write_text("[duplicate-url]\nnormalize = true\n")  # either spelling
    assert load_config(str(config)).normalise_urls


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("duplicate-url = true\n", "must be a table"),
        ("[duplicate-url]\nnormalise = 'yes'\n", "true or false"),
        ("[duplicate-url]\nnormal = true\n", "did you mean 'normali"),
    ],
)
def test_duplicate_url_options_are_checked(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "archive.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(str(config))


@given(
    st.lists(st.sampled_from(["a", "é", " ", "  ", "\t", "\n", "\xa0", "\u2003", "“"])).map("".join)
    | st.text()
)
def test_word_count_is_the_number_of_split_words(text: str) -> None:
    from archivekit.text import word_count

    assert word_count(text) == len(text.split())


@given(
    st.from_regex(r"\A[hH][tT]{2}[pP][sS]?://(www\.)?[A-Za-z0-9.-]{1,12}(/[A-Za-z0-9/._%-]*)?\Z")
)
def test_the_fast_path_agrees_with_urlsplit(url: str) -> None:
    from archivekit.urls import parsed_site_and_key, site_and_key

    assert site_and_key(url) == parsed_site_and_key(url)
