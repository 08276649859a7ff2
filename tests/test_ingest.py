import json
import logging
import pickle

import pytest

from assistant import Assistant, AssistantError
from assistant.errors import IndexDamaged, IndexMismatch
from assistant.lexical import LexicalIndex
from tests.conftest import ARTICLE


def test_reingest_of_unchanged_corpus_embeds_nothing(bot, embeddings):
    first_calls = embeddings.calls
    report = bot.ingest(progress=False)
    assert report.embedded == 0 and report.removed == 0 and not report.lexical_rebuilt
    assert "nothing to embed" in report.summary()
    assert embeddings.calls == first_calls


def test_changed_file_replaces_only_its_chunks(bot, corpus_dir):
    (corpus_dir / "note.txt").write_text("第一段說明。\n第二段內容提到輝達。\n", encoding="utf-8")
    added = bot.ingest(progress=False)
    assert added.embedded == 1 and added.removed == 0
    (corpus_dir / "note.txt").write_text("第一段說明。\n第二段改寫了,提到華為。\n", encoding="utf-8")
    changed = bot.ingest(progress=False)
    assert changed.embedded == 1 and changed.removed == 1
    assert len(bot.vectors.ids()) == len(bot.index.chunks)


def test_removed_file_loses_its_chunks(bot, corpus_dir):
    before = len(bot.index.chunks)
    (corpus_dir / "note.txt").write_text("臨時文件。", encoding="utf-8")
    bot.ingest(progress=False)
    (corpus_dir / "note.txt").unlink()
    report = bot.ingest(progress=False)
    assert report.removed == 1 and len(bot.index.chunks) == before
    assert bot.vectors.ids() == set(bot.index.ids)


def test_ingest_killed_after_embedding_leaves_old_index_and_next_run_completes(bot, corpus_dir, monkeypatch, settings, embeddings):
    committed = set(bot.index.ids)
    (corpus_dir / "extra.txt").write_text("新加入的段落,關於出口管制。", encoding="utf-8")

    def crash(self, root):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(LexicalIndex, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        bot.ingest(progress=False)
    monkeypatch.undo()
    fresh = Assistant(settings, embeddings=embeddings)
    assert set(fresh.index.ids) == committed, "a half-done ingest must not become visible"
    report = fresh.ingest(progress=False)
    assert report.embedded == 0, "the chunks embedded before the crash are reused"
    assert fresh.vectors.ids() == set(fresh.index.ids)
    assert len(fresh.index.ids) == len(set(fresh.index.ids))


def test_model_mismatch_names_the_rebuild_command(bot, settings, embeddings):
    other = Assistant(settings.model_copy(update={"embedding_model": "another-model"}), embeddings=embeddings)
    with pytest.raises(IndexMismatch, match="assistant ingest --rebuild"):
        other.answer("輝達?")


def test_dense_search_breadth_is_200_and_an_older_index_is_widened(bot, settings, embeddings, monkeypatch):
    from chromadb.api.models.Collection import Collection
    from chromadb.errors import InternalError

    def busy(*args, **kwargs):
        raise InternalError("database is locked")

    def breadth():
        hnsw = bot.vectors.client.get_collection(settings.collection).configuration["hnsw"]
        return hnsw["space"], hnsw["ef_search"]

    assert breadth() == ("cosine", 200)
    bot.vectors.client.get_collection(settings.collection).modify(configuration={"hnsw": {"ef_search": 100}})
    assert breadth() == ("cosine", 100)  # as an index built before the change was
    with monkeypatch.context() as patch:  # the database busy (seen once): the old breadth serves, nothing fails
        patch.setattr(Collection, "modify", busy)
        reply = Assistant(settings, embeddings=embeddings).answer("美國商務部何時撤銷AI擴散規則?")
        assert "5月13日" in reply.text and not reply.notice and breadth() == ("cosine", 100)
    reply = Assistant(settings, embeddings=embeddings).answer("美國商務部何時撤銷AI擴散規則?")
    assert "5月13日" in reply.text and breadth() == ("cosine", 200)


def test_damaged_index_is_a_clear_error(bot, settings, embeddings):
    current = settings.index_dir / "lexical" / "current.json"
    current.write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexDamaged, match="assistant ingest --rebuild"):
        Assistant(settings, embeddings=embeddings).answer("輝達?")


def _index_folder(settings):
    root = settings.index_dir / "lexical"
    return root / json.loads((root / "current.json").read_text(encoding="utf-8"))["folder"]


def test_an_index_file_holding_code_is_refused_not_run(bot, settings, embeddings):
    class Boom:
        def __reduce__(self):
            return (print, ("opening the index ran code",))

    (_index_folder(settings) / "chunks.pkl").write_bytes(pickle.dumps({"chunks": Boom()}))
    with pytest.raises(IndexDamaged, match="builtins.print"):
        Assistant(settings, embeddings=embeddings).answer("輝達?")


def test_an_index_of_the_earlier_json_format_is_built_again(bot, settings, embeddings, caplog):
    folder = _index_folder(settings)
    (folder / "chunks.pkl").rename(folder / "chunks.json")
    with caplog.at_level(logging.WARNING, logger="assistant"):
        reply = Assistant(settings, embeddings=embeddings).answer("美國商務部何時撤銷AI擴散規則?")
    assert "earlier version" in caplog.text and not reply.abstained
    assert (_index_folder(settings) / "chunks.pkl").exists()


def test_rebuild_recovers_a_damaged_index(bot, settings, embeddings):
    (settings.index_dir / "lexical" / "current.json").write_text("{not json", encoding="utf-8")
    report = Assistant(settings, embeddings=embeddings).ingest(rebuild=True, progress=False)
    assert report.chunks == report.embedded > 0


def test_missing_index_is_built_on_first_use(settings, embeddings, caplog):
    with caplog.at_level(logging.WARNING, logger="assistant"):
        reply = Assistant(settings, embeddings=embeddings).answer("美國商務部何時撤銷AI擴散規則?")
    assert "building it now" in caplog.text
    assert not reply.abstained


@pytest.mark.parametrize("encoding", ["utf-8-sig", "big5", "gb18030"])
def test_chinese_encodings_are_detected(bot, corpus_dir, encoding):
    text = "美國商務部撤銷了出口管制規定。輝達執行長表示歡迎。這是一份測試文件,內容夠長才能判斷編碼。" * 3
    if encoding == "gb18030":
        text = "美国商务部撤销了出口管制规定。英伟达首席执行官表示欢迎。这是一份测试文件,内容够长才能判断编码。" * 3
    (corpus_dir / f"enc-{encoding}.txt").write_bytes(text.encode(encoding))
    bot.ingest(progress=False)
    chunk = next(c for c in bot.index.chunks if c.doc_id == f"enc-{encoding}.txt")
    assert chunk.text == text[chunk.start : chunk.end]


def test_bad_files_are_skipped_with_a_warning(bot, corpus_dir, caplog):
    (corpus_dir / "empty.txt").write_text("", encoding="utf-8")
    (corpus_dir / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (corpus_dir / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    with caplog.at_level(logging.WARNING, logger="assistant"):
        report = bot.ingest(progress=False)
    assert sorted(report.skipped) == ["binary.txt", "broken.pdf", "empty.txt"]
    for name in report.skipped:
        assert name in caplog.text
    assert report.documents == 1


def test_html_and_markdown_are_loaded_with_manifest_metadata(bot, corpus_dir):
    html = "<html><head><title>AP</title></head><body><nav>menu</nav><article><p>" + (
        "The Commerce Department rescinded the AI diffusion rule on Tuesday. " * 4) + "</p></article></body></html>"
    (corpus_dir / "ap-2025-05-14.html").write_text(html, encoding="utf-8")
    (corpus_dir / "notes.md").write_text("# Notes\n\nHuawei Ascend chips are named in the guidance.\n", encoding="utf-8")
    bot.ingest(progress=False)
    assert bot.index.docs["ap-2025-05-14"]["outlet"] == "AP News"
    assert bot.index.docs["ap-2025-05-14"]["language"] == "en"
    assert "notes.md" in bot.index.docs


def test_reference_text_answers_english_and_chinese_questions(bot, corpus_dir):
    assert bot.answer("馬來西亞和泰國面臨什麼新的許可要求?").abstained, "the article alone does not say"
    story = ("Jeffery Kessler, the undersecretary of commerce for industry and security, said the Biden rule "
             "would have undermined diplomatic relations with dozens of countries. "
             "Malaysia and Thailand face new licensing requirements for advanced chips. ")
    (corpus_dir / "afp-2025-05-13.txt").write_text(story * 2, encoding="utf-8")
    bot.ingest(progress=False)
    reply = bot.answer("What would the Biden rule have undermined according to Kessler?")
    assert any(c.doc_id == "afp-2025-05-13" and c.outlet == "AFP" for c in reply.citations)
    zh = bot.answer("馬來西亞和泰國面臨什麼新的許可要求?")
    assert not zh.abstained and zh.text.startswith("來源為英文")
    assert zh.citations[0].doc_id == "afp-2025-05-13" and "Malaysia" in zh.citations[0].quote


def test_empty_corpus_is_a_clear_error(settings, embeddings, corpus_dir):
    (corpus_dir / ARTICLE).unlink()
    with pytest.raises(AssistantError, match="no readable documents"):
        Assistant(settings, embeddings=embeddings).ingest(progress=False)


def test_lexicon_or_chunking_change_updates_the_index_on_next_use(bot, settings, embeddings, corpus_dir, caplog):
    old_key = bot.index.info["lexicon"]
    with open(corpus_dir / "lexicon" / "glossary.tsv", "a", encoding="utf-8") as f:
        f.write("chip curbs\t出口管制\n")
    fresh = Assistant(settings, embeddings=embeddings)
    with caplog.at_level(logging.WARNING, logger="assistant"):
        fresh.answer("輝達執行長是誰?")
    assert "updating it" in caplog.text
    assert fresh.index.info["lexicon"] == fresh.analyzer.lexicon_key != old_key
    resized = Assistant(settings.model_copy(update={"chunk_size": 300}), embeddings=embeddings)
    assert resized.index.info["chunk_size"] == 300
    assert resized.vectors.ids() == set(resized.index.ids)


def test_index_records_dimension_and_refuses_another(bot, settings):
    from tests.conftest import FakeEmbeddings

    assert bot.index.info["dimension"] == 512

    class Smaller(FakeEmbeddings):
        dimension = 32

    with pytest.raises(IndexMismatch, match="512-dimensional.*assistant ingest --rebuild"):
        Assistant(settings, embeddings=Smaller()).answer("美國商務部何時撤銷AI擴散規則?")


def test_pdf_text_is_extracted(bot, corpus_dir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.text(0.1, 0.5, "Huawei Ascend chips violate export controls anywhere.")
    fig.savefig(corpus_dir / "memo.pdf")
    plt.close(fig)
    bot.ingest(progress=False)
    chunk = next(c for c in bot.index.chunks if c.doc_id == "memo.pdf")
    assert "Huawei Ascend" in chunk.text


def test_model_prefixes_reach_sentence_transformers(settings):
    from assistant.embeddings import encode_kwargs

    e5 = settings.model_copy(update={"query_prefix": "query: ", "passage_prefix": "passage: "})
    passage, query = encode_kwargs(e5)
    assert passage == {"normalize_embeddings": True, "prompt": "passage: "}
    assert query == {"normalize_embeddings": True, "prompt": "query: "}
    assert encode_kwargs(settings) == ({"normalize_embeddings": True}, {})


def test_links_that_leave_the_corpus_or_dangle_are_refused_by_name(bot, corpus_dir, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:secret outside the corpus", encoding="utf-8")
    (corpus_dir / "passwd.txt").symlink_to(outside)
    (corpus_dir / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (corpus_dir / "loop.txt").symlink_to(corpus_dir / "loop.txt")
    (corpus_dir / "same.txt").symlink_to(corpus_dir / "iknow-2025-05-15-ai-chip-export-rules.txt")
    (corpus_dir / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    report = bot.ingest(progress=False)
    names = " ".join(report.skipped)
    for name in ("passwd.txt (a link that leaves", "gone.txt (a link that does not resolve", "loop.txt",
                 "elsewhere (a link to a folder"):
        assert name in names
    assert "same.txt" not in names  # a link inside the corpus is read
    assert not any("secret" in c.text for c in bot.index.chunks)


def test_a_file_over_the_size_limit_is_skipped_by_name(bot, corpus_dir, settings, embeddings):
    (corpus_dir / "huge.txt").write_text("晶片出口。" * 60_000, encoding="utf-8")  # about 0.9 MB
    small = Assistant(settings.model_copy(update={"max_file_mb": 0.5}), embeddings=embeddings)
    report = small.ingest(progress=False)
    assert any(name.startswith("huge.txt (over 0.5 MB") for name in report.skipped)
    assert all(c.doc_id != "huge.txt" for c in small.index.chunks)


def test_a_long_ingest_is_announced_with_an_estimate(caplog):
    import logging

    from assistant.ingest import _warn_if_long

    with caplog.at_level(logging.WARNING, logger="assistant"):
        _warn_if_long(20_000_000)
    assert "roughly 67 minutes" in caplog.text
    caplog.clear()
    _warn_if_long(50_000)
    assert not caplog.text


def test_an_emptied_vector_store_is_said_on_the_answer(bot, settings, embeddings):
    bot.vectors.delete(sorted(bot.vectors.ids()))  # emptied (a deleted folder is recreated empty, the same)
    fresh = Assistant(settings, embeddings=embeddings)
    reply = fresh.answer("美國商務部何時撤銷AI擴散規則?")
    assert "vector store is empty" in reply.notice and "assistant ingest" in reply.notice
    assert [n.code for n in reply.notices] == ["emptied"]
    assert "5月13日" in reply.text  # the lexical side still answers
    fresh.ingest(progress=False)
    assert "empty" not in fresh.answer("美國商務部何時撤銷AI擴散規則?").notice


def test_a_second_ingest_waits_for_the_first_and_says_so(bot, settings, embeddings, caplog):
    import fcntl
    import logging
    import threading

    with open(settings.index_dir / "ingest.lock", "w") as held:  # another process's ingest, as far as flock knows
        fcntl.flock(held, fcntl.LOCK_EX)
        results = []
        with caplog.at_level(logging.WARNING, logger="assistant"):
            second = threading.Thread(target=lambda: results.append(
                Assistant(settings, embeddings=embeddings).ingest(progress=False)))
            second.start()
            second.join(timeout=1.5)
            assert second.is_alive() and not results  # waiting
            fcntl.flock(held, fcntl.LOCK_UN)
            second.join(timeout=30)
    assert results and results[0].embedded == 0
    assert "another ingest is running" in caplog.text


def test_another_process_sees_a_committed_ingest(bot, corpus_dir, settings, embeddings, monkeypatch):
    """Several web processes on one index folder: one ingests, the others open its commit on their next question."""
    from assistant import snapshot

    monkeypatch.setattr(snapshot, "RECHECK_S", 0.0)
    reader = Assistant(settings, embeddings=embeddings)  # another process's view of the same folders
    question = "Which port handles the Tallinn lithography shipments?"
    assert reader.answer(question).abstained
    (corpus_dir / "port-note.txt").write_text(
        "The Tallinn lithography shipments are handled by the port of Muuga, a customs note says.\n", encoding="utf-8")
    bot.ingest(progress=False)
    after = reader.answer(question)
    assert not after.abstained and "Muuga" in after.citations[0].quote


def test_a_process_that_froze_its_index_freezes_the_next_and_frees_the_old(bot, corpus_dir):
    """`assistant web` freezes the tables it opened (no 0.15 s full collections at 100k chunks); the index that
    replaces them after an ingest is frozen too, and what the freeze held is released to the collector."""
    import gc
    import weakref

    class Node:
        pass

    bot.answer("When was the rule rescinded?")
    held = Node()
    held.cycle = held  # garbage only the cyclic collector frees
    alive = weakref.ref(held)
    try:
        gc.freeze()
        del held
        gc.collect()
        assert alive() is not None  # frozen: left alone
        (corpus_dir / "note.txt").write_text("The port of Muuga handles the Tallinn shipments.\n", encoding="utf-8")
        bot.ingest(progress=False)
        assert "Muuga" in bot.answer("Which port handles the Tallinn shipments?").citations[0].quote
        assert alive() is None and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_adding_a_file_analyses_only_its_chunks(bot, corpus_dir, monkeypatch):
    """Tokens of unchanged chunks come from the index, so adding an article to a large corpus stays cheap."""
    analysed = []
    tokens = bot.analyzer.tokens
    monkeypatch.setattr(bot.analyzer, "tokens", lambda text: analysed.append(text) or tokens(text))
    (corpus_dir / "note.txt").write_text("一段新的說明,提到輝達的出口許可。\n", encoding="utf-8")
    report = bot.ingest(progress=False)
    assert report.lexical_rebuilt and analysed and all("新的說明" in text for text in analysed)
    assert not bot.answer("輝達的出口許可有什麼新的說明?").abstained


def test_only_new_or_changed_files_are_split_again(bot, corpus_dir, monkeypatch):
    """An unchanged document keeps its chunks from the index (same text digest, same chunking)."""
    from assistant import ingest as ingest_module

    split = []
    make_chunks = ingest_module.make_chunks
    monkeypatch.setattr(ingest_module, "make_chunks", lambda doc, settings: split.append(doc.doc_id) or make_chunks(doc, settings))
    before = list(bot.index.ids)
    (corpus_dir / "note.txt").write_text("一段新的說明,提到輝達的出口許可。\n", encoding="utf-8")
    bot.ingest(progress=False)
    assert len(split) == 1 and "note" in split[0]
    assert [i for i in bot.index.ids if i in before] == before  # the article's chunks, unchanged and in order
    (corpus_dir / "note.txt").write_text("一段改過的說明,提到輝達的出口許可。\n", encoding="utf-8")
    bot.ingest(progress=False)
    assert len(split) == 2 and any("改過" in c.text for c in bot.index.chunks)


def test_added_files_join_a_delta_bm25_and_a_change_rebuilds_it_whole(bot, settings, embeddings, corpus_dir,
                                                                       monkeypatch):
    """Adding documents keeps the main BM25 (shared with the previous commit by hard links) and indexes the
    new chunks in a small delta BM25; questions read both. Changing a document builds everything again."""
    from assistant import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "DELTA_SHARE", 10.0)  # the article is small: let the delta take a file
    main = len(bot.index.chunks)
    inodes = {f.name: f.stat().st_ino for f in (_index_folder(settings) / "bm25").iterdir()}
    (corpus_dir / "port-note.txt").write_text(
        "The Tallinn lithography shipments are handled by the port of Muuga, a customs note says.\n", encoding="utf-8")
    bot.ingest(progress=False)
    assert bot.index.main_size == main and bot.index.delta_size > 0
    assert {f.name: f.stat().st_ino for f in (_index_folder(settings) / "bm25").iterdir()} == inodes
    for reader in (bot, Assistant(settings, embeddings=embeddings)):  # in memory, and read back from disk
        reply = reader.answer("Which port handles the Tallinn lithography shipments?")
        assert not reply.abstained and "Muuga" in reply.citations[0].quote
        c = reply.citations[0]
        assert (corpus_dir / "port-note.txt").read_text(encoding="utf-8")[c.start:c.end] == c.quote
        assert not reader.answer("美國商務部何時撤銷AI擴散規則?").abstained  # the main BM25 still answers
    (corpus_dir / "another.txt").write_text("荷蘭的光刻機出口許可由海牙審查。\n", encoding="utf-8")
    bot.ingest(progress=False)  # a second addition joins the same delta (its name sorts before the article's)
    assert bot.index.main_size == main and not bot.answer("荷蘭的光刻機出口許可由哪裡審查?").abstained
    assert not bot.ingest(progress=False).lexical_rebuilt  # nothing changed: the delta's order is no change
    (corpus_dir / "port-note.txt").write_text("The shipments now go through Paldiski.\n", encoding="utf-8")
    bot.ingest(progress=False)
    assert bot.index.main_size is None and bot.index.delta is None
    assert "Paldiski" in bot.answer("Which port do the shipments go through now?").citations[0].quote


def test_a_file_system_without_hard_links_gets_copies(bot, settings, embeddings, corpus_dir, monkeypatch):
    from assistant import ingest as ingest_module
    from assistant import lexical

    def no_links(*_):
        raise OSError("hard links not supported")

    monkeypatch.setattr(ingest_module, "DELTA_SHARE", 10.0)
    monkeypatch.setattr(lexical.os, "link", no_links)
    (corpus_dir / "port-note.txt").write_text("The shipments are handled by the port of Muuga.\n", encoding="utf-8")
    bot.ingest(progress=False)
    assert bot.index.delta is not None
    reply = Assistant(settings, embeddings=embeddings).answer("Which port handles the shipments?")
    assert "Muuga" in reply.citations[0].quote


def test_an_unreadable_delta_means_a_full_build_not_a_failure(bot, settings, corpus_dir, monkeypatch, caplog):
    from assistant import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "DELTA_SHARE", 10.0)
    (corpus_dir / "port-note.txt").write_text("The shipments are handled by the port of Muuga.\n", encoding="utf-8")
    bot.ingest(progress=False)
    (_index_folder(settings) / "delta-tokens.pkl").write_bytes(b"not a pickle")
    fresh = Assistant(settings, embeddings=bot.embeddings)
    (corpus_dir / "another.txt").write_text("荷蘭的光刻機出口許可由海牙審查。\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="assistant"):
        fresh.ingest(progress=False)
    assert "delta cannot be read" in caplog.text and fresh.index.delta is None
    assert "Muuga" in fresh.answer("Which port handles the shipments?").citations[0].quote
