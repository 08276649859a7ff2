from assistant.chunking import chunk_spans, sentences
from tests.conftest import ARTICLE, ROOT

TEXT = (ROOT / "corpus" / ARTICLE).read_text(encoding="utf-8")


def test_sentences_split_on_cjk_enders_and_keep_offsets():
    text = "第一句。第二句!第三句?\n標題行\n「引號句。」尾"
    spans = sentences(text)
    assert [text[s.start : s.end] for s in spans] == ["第一句。", "第二句!", "第三句?", "標題行", "「引號句。」", "尾"]


def test_long_sentence_is_cut_at_commas_but_not_inside_numbers():
    text = "價值1,000億美元,這是一個很長的句子,需要切開,否則太長。"
    spans = sentences(text, max_len=12)
    pieces = [text[s.start : s.end] for s in spans]
    assert "".join(pieces) == text
    assert any(p.startswith("價值1,000億美元") for p in pieces)
    assert all(len(p) <= 12 or "," not in p[:-1] for p in pieces)


def test_chunks_cover_article_with_exact_offsets():
    spans = chunk_spans(TEXT, 130, overlap=1)
    assert len(spans) > 20, "the article must give enough chunks to rank"
    for span in spans:
        assert TEXT[span.start : span.end].strip() == TEXT[span.start : span.end]
        assert span.end - span.start <= 130 or "。" not in TEXT[span.start : span.end - 1]
    covered = set()
    for span in spans:
        covered.update(range(span.start, span.end))
    letters = {i for i, ch in enumerate(TEXT) if not ch.isspace()}
    assert letters <= covered


def test_overlap_repeats_one_sentence():
    spans = chunk_spans(TEXT, 130, overlap=1)
    shared = sum(1 for a, b in zip(spans, spans[1:]) if b.start < a.end)
    assert shared >= len(spans) // 2
    assert chunk_spans(TEXT, 130, overlap=0)[1].start >= chunk_spans(TEXT, 130, overlap=0)[0].end
