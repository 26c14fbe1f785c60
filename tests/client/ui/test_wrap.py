"""client/ui/wrap.py: line breaking for mixed Chinese and English, with kinsoku rules."""

from hypothesis import given
from hypothesis import strategies as st

from client.ui.wrap import NO_END, NO_START, tokens, wrap


def test_chinese_breaks_anywhere_english_only_between_words_punctuation_never_starts_a_line():
    text = "青山助学基金会成立于2017年，致力于让乡村孩子享有公平而有质量的教育。Clear Spring Education Foundation"
    lines = wrap(text, 12, len)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(len(line) <= 13 for line in lines)
    assert not any(line[0] in "，。" for line in lines if line)
    assert "Education" in lines or any(line.endswith("Education") or " Education" in line for line in lines)
    assert not any("Educ" in line and "Education" not in line for line in lines), "an English word was split"


def test_tokens_keep_an_english_word_with_its_punctuation_and_split_chinese_per_character():
    assert tokens("Hi, 你好 world!") == ["Hi,", " ", "你", "好", " ", "world!"]


def test_a_token_wider_than_the_line_gets_a_line_of_its_own_and_paragraphs_stay():
    assert wrap("a Supercalifragilistic b\nc", 5, len) == ["a", "Supercalifragilistic", "b", "c"]


@given(
    text=st.text(alphabet="服务台展板上有一只公益帆布袋价格元倒过来读（）《》，。！“”ab ", min_size=1, max_size=60),
    width=st.floats(2, 30),
)
def test_wrapped_chinese_never_ends_on_opening_or_starts_on_closing_punctuation(text, width):
    def measure(s: str) -> float:
        return sum(0.5 if c in "（）《》，。！“” " else 1.0 for c in s)

    lines = wrap(text, width, measure)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    for line in lines[:-1]:  # where the wrapper broke; the text's own end may be anything
        if len(line) > 1:
            assert line[-1] not in NO_END, lines
    for line in lines[1:]:
        if line and len(line) > 1:
            assert line[0] not in NO_START or all(c in NO_START for c in line[:2]), lines



def test_closing_marks_that_cannot_be_carried_hang_past_the_margin():
    def measure(s: str) -> float:
        return sum(0.5 if c in "”！ " else 1.0 for c in s)

    # found by hypothesis: carrying "”" alone would start the next line with it
    assert wrap("a” ！", 2.0, measure) == ["a” ！"]
    assert wrap("你好”！", 2.5, measure) == ["你", "好”！"]
