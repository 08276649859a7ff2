import json
import subprocess
import sys

import pytest

import assistant
from assistant import Answer, Assistant, AssistantError, Citation, Settings, answer
from assistant.cli import main
from assistant.errors import InvalidQuestion
from tests.conftest import ROOT


def test_public_surface_is_curated():
    assert sorted(assistant.__all__) == ["Answer", "Assistant", "AssistantError", "Citation", "Settings", "answer"]
    for name in assistant.__all__:
        assert getattr(assistant, name).__module__.startswith("assistant")


def test_import_is_cheap_and_loads_no_model():
    code = "import sys, assistant; print(any(m in sys.modules for m in ('torch', 'chromadb', 'jieba', 'sentence_transformers', 'langchain_core', 'gradio')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_answer_returns_dataclasses_with_exact_quotes(bot):
    reply = bot.answer("美國商務部何時撤銷AI擴散規則?")
    assert isinstance(reply, Answer) and not reply.abstained
    assert reply.citations and all(isinstance(c, Citation) for c in reply.citations)
    for c in reply.citations:
        assert f"[{c.n}]" in reply.text
        assert c.source == "iknow-2025-05-15-ai-chip-export-rules.txt"  # the test's corpus is outside the checkout
        assert (bot.settings.corpus_dir / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote
        assert c.passage[c.start - c.passage_start : c.end - c.passage_start] == c.quote
    assert "5月13日" in reply.text


@pytest.mark.parametrize("bad", ["", "   \n\t ", "\x00\x01"])
def test_empty_questions_are_rejected(bot, bad):
    with pytest.raises(InvalidQuestion, match="empty"):
        bot.answer(bad)


def test_over_long_questions_are_rejected(bot):
    with pytest.raises(AssistantError, match="limit is 2000"):
        bot.answer("晶片" * 1001)


def test_control_characters_are_stripped(bot):
    clean = bot.answer("美國商務部何時撤銷AI擴散規則?")
    dirty = bot.answer("美國商務部\x07何時撤銷\x1bAI擴散規則?\x00")
    assert dirty.text == clean.text


def test_module_level_answer_uses_a_default_assistant(default_bot):
    assert answer("輝達執行長是誰?").citations


def test_simplified_question_gets_simplified_text_and_original_quotes(bot):
    reply = bot.answer("英伟达首席执行官黄仁勋估计中国芯片市场有多大?")
    assert reply.language == "zh-Hans" and not reply.abstained
    assert "芯片市场" in reply.text and "晶片市場" in reply.citations[0].quote


def test_english_question_over_chinese_source_gets_a_lead_line(bot):
    reply = bot.answer("Who is the Commerce Department undersecretary?")
    assert reply.language == "en" and reply.text.startswith("The source is in Chinese")
    assert "凱斯勒" in reply.citations[0].quote


@pytest.mark.parametrize(
    "question, language",
    [("What is the capital of France?", "en"), ("英伟达今天的股价是多少?", "zh-Hans"), ("寫一首關於海洋的詩", "zh-Hant")],
)
def test_off_topic_questions_abstain_in_their_language(bot, question, language):
    reply = bot.answer(question)
    assert reply.abstained and not reply.citations and reply.language == language
    assert ("sources don't say" in reply.text) == (language == "en")


def test_an_abstention_the_gate_came_close_to_shows_the_nearest_passages(bot):
    """A paraphrase with a word no source holds (佛州 for 海湖莊園): no answer, but the sentence the gate weighed is
    cited beside the abstention, with exact offsets, for the reader to judge; an off-topic question shows none."""
    reply = bot.answer("黃仁勳和川普在佛州哪裡吃飯?")
    assert reply.abstained and not reply.citations and "[1]" not in reply.text
    assert any("海湖莊園" in c.quote for c in reply.nearest)
    for c in reply.nearest:
        assert (bot.settings.corpus_dir / c.source).read_text(encoding="utf-8")[c.start : c.end] == c.quote
    assert reply.to_dict()["nearest"][0]["quote"] == reply.nearest[0].quote
    assert bot.answer("寫一首關於海洋的詩").nearest == []


def test_follow_up_carries_the_previous_question(bot):
    first = "微軟總裁怎麼評論拜登的規則?"
    reply = bot.answer("那歐盟呢?", history=[(first, "…")])
    assert not reply.abstained and any("歐盟" in c.quote for c in reply.citations)
    # the earlier question's terms are context: a sentence that holds only those (Microsoft's) is not quoted again
    assert not any("微軟" in c.quote for c in reply.citations)
    alone = bot.answer("那歐盟呢?", history=[{"role": "user", "content": first}])
    assert alone.text == reply.text


def test_cli_ask_prints_answer_and_sources(default_bot, capsys):
    assert main(["ask", "輝達為中國設計了哪些降規晶片?"]) == 0
    out = capsys.readouterr().out
    assert "H20" in out and "[1] 科技產業資訊室" in out


def test_cli_ask_lists_the_nearest_passages_of_an_abstention(default_bot, capsys):
    assert main(["ask", "黃仁勳和川普在佛州哪裡吃飯?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("資料來源沒有提到") and "not an answer" in out
    assert "海湖莊園" in out.split("not an answer", 1)[1]


def test_the_web_page_shows_the_nearest_passages_as_no_answer():
    from assistant.web import NEAREST, NEAREST_NOTE, NO_SOURCES, chat_text, sources_html

    near = Citation(1, "doc", "標題", "corpus/doc.txt", "上個月他參加了在海湖莊園與川普私人晚宴", 10, 30)
    reply = Answer(text="資料來源沒有提到。", abstained=True, nearest=[near])
    assert sources_html(reply).startswith(NEAREST) and "海湖莊園" in sources_html(reply)
    assert chat_text(reply).endswith(f"_{NEAREST_NOTE}_")
    bare = Answer(text="資料來源沒有提到。", abstained=True)
    assert sources_html(bare) == NO_SOURCES and chat_text(bare) == "ⓘ 資料來源沒有提到。"


def test_cli_ask_json(default_bot, capsys):
    assert main(["ask", "--json", "輝達為中國設計了哪些降規晶片?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"text", "citations", "abstained"}
    assert {"n", "doc_id", "title", "source", "quote", "start", "end"} <= set(data["citations"][0])


def test_cli_empty_question_exits_2_with_one_line():
    out = subprocess.run([sys.executable, "-m", "assistant", "ask", "  "], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "empty" in out.stderr


def test_cli_damaged_index_is_one_line_not_a_traceback(tmp_path):
    index = tmp_path / "index" / "lexical"
    index.mkdir(parents=True)
    (index / "current.json").write_text("garbage", encoding="utf-8")
    env = {"ASSISTANT_INDEX_DIR": str(tmp_path / "index"), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "assistant", "ask", "輝達?"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr and "assistant ingest --rebuild" in out.stderr


def test_outbound_connections_fail_the_test_suite():
    import socket

    with socket.socket() as s, pytest.raises(AssertionError, match="outbound connection"):
        s.connect(("203.0.113.7", 80))


def test_web_turn_resolves_a_follow_up_against_the_chat(bot):
    from assistant.web import respond

    *_, (box, messages, panel) = respond(bot, "微軟總裁怎麼評論拜登的規則?", [])
    *_, (box, messages, panel) = respond(bot, "那歐盟呢?", messages)
    assert box == "" and len(messages) == 4
    assert "歐盟執委會" in messages[-1]["content"] and "src-quote" in panel


def test_web_turn_shows_errors_as_chat_messages(bot):
    from assistant.web import respond

    *_, (box, messages, panel) = respond(bot, "   ", [])
    assert messages[-1]["content"].startswith("⚠️") and "empty" in messages[-1]["content"]


@pytest.mark.parametrize("doc_id", ["../iknow-2025-05-15-ai-chip-export-rules", "../../x", "/tmp/x", "a/b", "..", ""])
def test_add_refuses_an_id_that_is_not_a_plain_name_before_fetching(settings, doc_id, monkeypatch):
    from assistant import fetch
    from assistant.errors import FetchError

    monkeypatch.setattr(fetch, "fetch_html", lambda url: pytest.fail("fetched before the id was checked"))
    with pytest.raises(FetchError, match="not a safe name"):
        fetch.add_url("http://127.0.0.1:9/page", settings, doc_id=doc_id)
    assert not list(settings.corpus_dir.parent.glob("x*"))


def test_follow_up_reads_gradio_content_lists():
    """Gradio 6's Chatbot sends each message's content as a list of parts, not a string."""
    from assistant.conversation import history_lines, previous_question

    history = [{"role": "user", "content": [{"type": "text", "text": "美国商务部副部长是谁?"}]},
               {"role": "assistant", "content": [{"type": "text", "text": "凯斯勒[1]"}]}]
    assert previous_question(history) == "美国商务部副部长是谁?"
    assert history_lines(history) == ["user: 美国商务部副部长是谁?", "assistant: 凯斯勒[1]"]
    assert previous_question([{"role": "user", "content": [{"type": "image", "url": "x"}]}]) == ""


def test_history_of_the_wrong_type_is_a_clear_error(bot):
    from assistant.errors import InvalidQuestion

    for history in (5, "微軟總裁怎麼評論拜登的規則?", {"role": "user"}):
        with pytest.raises(InvalidQuestion, match="history must be a list"):
            bot.answer("那歐盟呢?", history=history)


def test_a_setting_of_the_wrong_type_names_its_variable(monkeypatch):
    from assistant.errors import ConfigError

    monkeypatch.setenv("ASSISTANT_CHUNK_SIZE", "abc")
    with pytest.raises(ConfigError, match="ASSISTANT_CHUNK_SIZE = 'abc'.*integer"):
        Settings()
    monkeypatch.delenv("ASSISTANT_CHUNK_SIZE")
    with pytest.raises(ConfigError, match="ASSISTANT_TOP_K"):
        Settings(top_k=0)


@pytest.mark.parametrize("manifest, field", [('[[documents]]\nid = 5\nfile = "a.txt"\n', "id must be text"),
                                             ('documents = "x"\n', "list of")])
def test_a_manifest_with_wrong_types_is_a_clear_error(settings, embeddings, corpus_dir, manifest, field):
    from assistant.errors import CorpusError

    (corpus_dir / "manifest.toml").write_text(manifest, encoding="utf-8")
    with pytest.raises(CorpusError, match=field):
        Assistant(settings, embeddings=embeddings).ingest(progress=False)
