"""Domains shown to people: punycode in Unicode, except a label that mixes Latin with a look-alike script."""

from __future__ import annotations

import pytest

from bot.core.domains import shown_domain, shown_domains_in


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("xn--bckerei-koch-gcb.de", "bäckerei-koch.de"),
        ("blog.xn--strae-oqa.de", "blog.straße.de"),
        ("xn--d1acpjx3f.xn--p1ai", "яндекс.рф"),  # one script, Cyrillic throughout
        ("xn--wgv71a119e.jp", "日本語.jp"),
        ("example.com", "example.com"),
        ("xn--zz.de", "xn--zz.de"),  # not valid punycode: left as it is
        ("xn--pple-43d.com", "xn--pple-43d.com"),  # a Cyrillic "а" among Latin letters: a look-alike of apple.com
    ],
)
def test_a_stored_host_is_shown_in_the_letters_it_was_typed_in(stored, shown):
    assert shown_domain(stored) == shown


def test_hosts_inside_a_text_are_shown_in_unicode_and_the_rest_is_left_alone():
    assert (
        shown_domains_in("Plan for xn--bckerei-koch-gcb.de (https://xn--bckerei-koch-gcb.de/a--b?x=xn--)")
        == "Plan for bäckerei-koch.de (https://bäckerei-koch.de/a--b?x=xn--)"
    )
