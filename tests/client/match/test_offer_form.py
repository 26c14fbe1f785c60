"""发布资源 from the profile: what the form sends, checked with the server's rules before it goes."""

from __future__ import annotations

import pytest

from client.match.offer_form import offer_message
from protocol.match import MAX_YUAN


def test_a_foundation_offer_is_sent_with_its_interests_region_and_cleaned_text():
    msg, problem = offer_message("foundation", "云南", ["education", "children"], "funds", " 500,000 ",
                                 "资助乡村\u202e教育\n项目")
    assert problem == "" and msg == {"role": "foundation", "kind": "funds", "fields": ["education", "children"],
                                     "regions": ["云南"], "text": "资助乡村教育 项目", "min_yuan": 0,
                                     "max_yuan": 500_000}
    msg, _ = offer_message("company", "", ["rural"], "goods", "", "捐赠图书")
    assert msg["role"] == "enterprise" and msg["regions"] == [] and "max_yuan" not in msg


@pytest.mark.parametrize("amount", ["", "0", "-5", "1.5", "12元", "１２", str(MAX_YUAN + 1), "1e6"])
def test_an_amount_that_is_not_a_whole_bounded_number_of_yuan_is_refused(amount):
    assert offer_message("foundation", "", ["education"], "funds", amount, "资助") == (None, "bad_amount")


def test_no_interest_no_text_or_too_much_text_is_refused_here():
    assert offer_message("foundation", "", [], "funds", "100", "资助") == (None, "no_fields")
    assert offer_message("foundation", "", ["education"], "funds", "100", " \u200b ") == (None, "no_text")
    assert offer_message("foundation", "", ["education"], "funds", "100", "字" * 201) == (None, "too_long")
