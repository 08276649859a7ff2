"""Write → verify → compose with a fake at the generator seam: which generated sentences are kept, dropped
or replaced by the extractive answer. (The real client against a scripted server: test_generate.)"""

import pytest

from assistant import Assistant
from assistant.errors import LLMUnavailable

RESCIND = "美國商務部何時撤銷AI擴散規則?"


class FakeGenerator:
    """Stands where generate.Generator does: replies from a script, records what it was asked."""

    def __init__(self, *replies: str):
        self.replies = list(replies)
        self.asked: list[tuple[str, list[str], str]] = []

    def stream(self, question, passages, language):
        self.asked.append((question, passages, language))
        reply = self.replies.pop(0) if self.replies else "NOT_IN_SOURCES"
        if isinstance(reply, Exception):
            raise reply
        yield from (reply[i : i + 7] for i in range(0, len(reply), 7))  # streamed in pieces

    def condense(self, question, history_lines):
        raise LLMUnavailable("language model unavailable (no condensing here)")


@pytest.fixture
def writer(bot):
    """The shared index with generation on, through a FakeGenerator (set ``writer.generator``)."""
    settings = bot.settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "fake"})
    return Assistant(settings, embeddings=bot.embeddings)


def _cited(writer, text):
    return next(i for i, p in enumerate(writer.retrieve(RESCIND), 1) if text in p.text)


def test_unsupported_sentences_are_dropped_and_unmarked_ones_attributed(writer):
    n = _cited(writer, "5月13日")
    writer.generator = FakeGenerator(f"美國商務部於5月13日撤銷了AI晶片出口管制規定。[{n}] 這項規則原定5月15日生效。[99] "
                                     "輝達股價因此上漲百分之十。")
    reply = writer.answer(RESCIND)
    assert reply.mode == "generated" and reply.sentences_generated == 3 and reply.sentences_supported == 2
    assert "股價" not in reply.text and "[99]" not in reply.text
    assert [(n.code, n.detail) for n in reply.notices] == [("unsupported-removed", "1")]
    assert "5月13日" in reply.citations[0].quote
    assert "5月15日生效" in reply.citations[-1].quote  # its marker named no passage; the one that backs it is cited


def test_a_correct_sentence_without_a_marker_is_attributed(writer):
    writer.generator = FakeGenerator("黃仁勳估計中國是一個價值500億美元的AI晶片市場。")
    reply = writer.answer("輝達的老闆覺得中國市場值多少錢?")
    assert reply.mode == "generated" and reply.sentences_supported == 1
    assert reply.text.endswith("[1]") and "500億美元" in reply.citations[0].quote


def test_a_marker_that_names_the_wrong_passage_is_replaced(writer):
    wrong = next(i for i, p in enumerate(writer.retrieve(RESCIND), 1) if "5月13日" not in p.text)
    writer.generator = FakeGenerator(f"美國商務部在5月13日撤銷了拜登政府的AI晶片出口管制規定。[{wrong}]")
    reply = writer.answer(RESCIND)
    assert reply.mode == "generated" and len(reply.citations) == 1 and "5月13日" in reply.citations[0].quote


def test_a_date_the_source_does_not_state_is_not_verified(writer):
    n = _cited(writer, "5月13日")
    writer.generator = FakeGenerator(f"美國商務部於5月14日撤銷了拜登政府的AI晶片出口管制規定。[{n}]")
    reply = writer.answer(RESCIND)
    assert reply.mode == "extractive" and [c.code for c in reply.notices] == ["nothing-supported"]


def test_a_bare_date_is_read_with_the_question_and_the_reference_list_is_not_evidence(writer):
    writer.generator = FakeGenerator("[1] 2025/05/14", "2025/05/13")
    wrong = writer.answer(RESCIND)  # the AP report's date in the reference list; not when the rule was rescinded
    assert wrong.mode == "extractive" and [c.code for c in wrong.notices] == ["nothing-supported"]
    right = writer.answer(RESCIND)  # written another way than the source's 5月13日
    assert right.mode == "generated" and right.text.startswith("2025/05/13")
    assert "5月13日正式撤銷" in right.citations[0].quote


def test_the_byline_backs_a_question_about_the_author(writer):
    writer.generator = FakeGenerator("這篇文章的作者是黃松勳。[1]")
    reply = writer.answer("這篇文章的作者是誰?")
    assert reply.mode == "generated" and "黃松勳" in reply.citations[0].quote


def test_a_reply_in_another_language_is_not_shown(writer):
    writer.generator = FakeGenerator("美國商務部於5月13日撤銷了AI晶片出口管制規定。[1]")
    reply = writer.answer("When did the Commerce Department rescind the AI diffusion rule?")
    assert reply.mode == "extractive" and [c.code for c in reply.notices] == ["wrong-language"]
    assert reply.sentences_generated == 1 and reply.citations  # the quote, under the line saying it is Chinese


def test_a_reply_in_the_other_chinese_script_is_shown_in_the_askers(writer):
    writer.generator = FakeGenerator("美國商務部於5月13日撤銷了拜登政府的AI晶片出口管制規定。")
    reply = writer.answer("美国商务部何时撤销AI扩散规则?")
    assert reply.mode == "generated" and reply.text.startswith("美国商务部于5月13日撤销")


def test_claim_not_in_its_cited_passage_is_removed(writer):
    writer.generator = FakeGenerator("輝達去年營收成長百分之兩百,執行長獲得鉅額獎金。[1]")
    reply = writer.answer(RESCIND)
    assert reply.mode == "extractive" and [n.code for n in reply.notices] == ["nothing-supported"]
    assert reply.citations and "5月13日" in reply.text


def test_a_model_that_finds_no_answer_leaves_the_quotes_the_gate_passed(writer):
    writer.generator = FakeGenerator("NOT_IN_SOURCES")
    reply = writer.answer(RESCIND)
    assert reply.mode == "extractive" and "5月13日" in reply.text and reply.citations
    assert [n.code for n in reply.notices] == ["model-declined"]


def test_weak_evidence_abstains_without_calling_the_model(writer):
    writer.generator = FakeGenerator()
    reply = writer.answer("What is the capital of France?")
    assert reply.abstained and writer.generator.asked == []


def test_a_failing_model_leaves_the_extractive_answer_with_a_notice(writer):
    writer.generator = FakeGenerator(LLMUnavailable("language model unavailable (timeout)"))
    reply = writer.answer(RESCIND)
    assert reply.mode == "extractive" and "5月13日" in reply.text
    assert [(n.code, n.detail) for n in reply.notices] == [("llm-unavailable", "language model unavailable (timeout)")]


def test_the_model_sees_passages_in_retrieval_order_and_the_questions_language(writer):
    writer.generator = FakeGenerator("NOT_IN_SOURCES")
    writer.answer("When was the AI diffusion rule rescinded?")
    question, passages, language = writer.generator.asked[0]
    assert language == "en" and passages == [p.text for p in writer.retrieve("When was the AI diffusion rule rescinded?")]


def test_a_marker_after_the_full_stop_belongs_to_the_sentence_before_it():
    from assistant.verify import parse_claims

    claims = parse_claims("美國商務部於5月13日撤銷規定。[2] 這項規則原定5月15日生效。[1][3] Nvidia rose. [4] It fell [5].")
    assert [(c.text, c.markers) for c in claims] == [
        ("美國商務部於5月13日撤銷規定。", [2]), ("這項規則原定5月15日生效。", [1, 3]), ("Nvidia rose.", [4]), ("It fell.", [5])]


@pytest.mark.parametrize("claim, source, same", [
    ("2025/05/13", "美國商務部於5月13日正式撤銷", True),
    ("May 13, 2025", "2025年5月13日", True),
    ("on 13 May", "5月13日", True),
    ("2025/05/14", "美國商務部於5月13日正式撤銷", False),
    ("500億美元", "a market worth $50 billion", True),
    ("$5 billion", "價值500億美元", False),
    ("百分之十", "rose 10 percent", True),
    ("in 2025", "2025年5月15日", True),
    ("1,500 chips", "1500", True),
    ("H20和L40", "no numbers here", True),  # model names are not amounts
])
def test_dates_and_amounts_are_compared_whatever_the_writing(claim, source, same):
    from assistant.facts import facts

    assert (not facts(claim).missing_from(facts(source))) is same
