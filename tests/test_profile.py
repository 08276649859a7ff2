"""The corpus profile (title, intro, prompt domain, examples) and the language table are data."""

import pytest

from assistant.errors import CorpusError
from assistant.languages import LANGUAGES, language
from assistant.profile import Profile, load_profile
from tests.conftest import ROOT


def test_the_projects_corpus_has_a_profile_and_a_folder_without_one_gets_a_neutral_one(tmp_path):
    ours = load_profile(ROOT / "corpus")
    assert "出口管制" in ours.title and len(ours.examples) == 4 and "export-control" in ours.domain
    assert load_profile(tmp_path) == Profile() and Profile().examples == ()


@pytest.mark.parametrize("text, named", [
    ('title = 3', "title must be text"),
    ('examples = "one question"', "examples must be a list"),
    ('colour = "blue"', "unknown keys colour"),
    ('title = "unclosed', "cannot be read"),
])
def test_a_bad_profile_is_a_clear_error(tmp_path, text, named):
    (tmp_path / "profile.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=named):
        load_profile(tmp_path)


def test_each_language_is_one_table_entry_used_by_the_composer(bot):
    for code, entry in LANGUAGES.items():
        assert bot.composer.abstain(code, []).text == entry.abstain
    assert language("fr") is LANGUAGES["en"]
    reply = bot.answer("Who is the Commerce Department undersecretary?")  # Chinese quotes for an English question
    assert reply.text.startswith(LANGUAGES["en"].lead)


def test_the_web_page_shows_the_profile(bot):
    from assistant.web import build_app

    app = build_app(bot)
    assert app.title == load_profile(bot.settings.corpus_dir).title
