"""The content extractor and the translation layer, on the sample and real content."""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import write_po

from webapp.content.catalog import load_catalog
from webapp.content.domain import (
    ClozeQuestion,
    MatchingQuestion,
    ShortAnswerQuestion,
    SingleChoiceQuestion,
)
from webapp.content.i18n import (
    ContentTranslations,
    Messages,
    catalog_path,
    content_coverage,
    content_problems,
    extract_yaml,
    lesson_entries,
    located_entries,
    quiz_entries,
    read_messages,
    translate_lesson_with,
    translate_quiz_with,
)
from webapp.content.question_types import get_type

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "examples" / "sample"


def _extract(path: Path) -> list[tuple[int, str, str, list[str]]]:
    """Run Babel's extract with our extractor: (line, context, msgid, comments)."""
    with path.open("rb") as fh:
        return [
            (line, ctx, msgid, comments)
            for line, msgid, comments, ctx in extract(
                extract_yaml, fh, DEFAULT_KEYWORDS
            )
        ]


def _messages(
    table: dict[tuple[str, str], str], fuzzy: set[tuple[str, str]] = frozenset()
) -> Messages:
    """Build a catalog from {(context, msgid): msgstr}."""
    lines = {key: i + 1 for i, key in enumerate([*table, *fuzzy])}
    return Messages(
        "de.po",
        "de",
        {k: v for k, v in table.items() if k not in fuzzy},
        lines,
        frozenset(fuzzy),
        {key[0]: key[1] for key in lines},
    )


@pytest.fixture(scope="module")
def sample():
    """The loaded sample content root."""
    catalog = load_catalog(SAMPLE)
    assert catalog.ok, catalog.errors
    return catalog


# -- extraction ---------------------------------------------------------------------


def test_extractor_yields_lesson_messages_with_contexts_and_lines():
    got = {
        ctx: (line, msgid, comments)
        for line, ctx, msgid, comments in _extract(SAMPLE / "lessons" / "sample.yaml")
    }
    assert got["lesson:sample|title"][:2] == (5, "Sample: the Treaty of Rapallo, 1922")
    assert got["lesson:sample|objectives.1"][0] == 11
    assert got["lesson:sample|key_terms.genoa-conference.term"][1] == "Genoa Conference"
    assert got["lesson:sample|timeline.1922-04-16.event"][0] == 20
    assert got["lesson:sample|timeline.1926.event"][1] == (
        "The Treaty of Berlin reaffirms Rapallo."
    )
    body = got["lesson:sample|sections.outsiders.body"]
    assert body[1].startswith("After 1919 both Germany")
    assert not body[1].endswith("\n")
    assert "Markdown" in body[2][0]
    assert got["lesson:sample|sections.the-treaty.quote.by"][1] == (
        'Wikipedia, "Treaty of Rapallo (1922)"'
    )
    assert got["lesson:sample|sources.wiki-rapallo.title"][1] == (
        "Treaty of Rapallo (1922)"
    )
    assert "lesson:sample|teacher_notes" in got
    msgids = {m for _, m, _ in got.values()}
    # ids, dates, urls, languages and numbers are not messages
    for value in (
        "sample",
        "outsiders",
        "wiki-rapallo",
        "en",
        "1922-04-16",
        "20",
        "https://en.wikipedia.org/wiki/Treaty_of_Rapallo_(1922)",
    ):
        assert value not in msgids


def test_extractor_yields_quiz_messages_by_id_not_index():
    rows = _extract(SAMPLE / "quizzes" / "sample.yaml")
    got = {ctx: (line, msgid, comments) for line, ctx, msgid, comments in rows}
    assert got["quiz:sample|questions.signed-when.choices.c3.feedback"][:2] == (
        18,
        "That is the Treaty of Berlin.",
    )
    answers = got["quiz:sample|questions.signer.answers"]
    assert answers[1] == "Walther Rathenau|Rathenau"
    assert "add the forms used in your language" in answers[2][0]
    cloze = got["quiz:sample|questions.place.text"]
    assert cloze[1] == (
        "The treaty was signed at {{Rapallo}} during the {{Genoa}} Conference."
    )
    assert "keep the {{...}} gaps, exactly 2" in cloze[2][0]
    assert got["quiz:sample|questions.army-cap.unit"][1] == "men"
    assert got["quiz:sample|questions.signers.options.3"][1] == "France"
    assert (
        got["quiz:sample|questions.sequence.items.2"][1] == "Treaty of Rapallo signed"
    )
    assert got["quiz:sample|questions.provisions.stimulus.text"][1].startswith("The ")
    msgids = {m for _, m, _ in got.values()}
    for value in ("100000", "single_choice", "signed-when", "the-treaty", "recall"):
        assert value not in msgids
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # file order


def test_extractor_refuses_a_broken_file(tmp_path: Path):
    bad = tmp_path / "lessons" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("schema_version: 1\nid: bad\n")
    with pytest.raises(ValueError, match="fix them first"):
        _extract(bad)


def test_extractor_needs_pgettext():
    with (
        (SAMPLE / "quizzes" / "sample.yaml").open("rb") as fh,
        pytest.raises(ValueError, match="pgettext"),
    ):
        list(extract_yaml(fh, ["_"], [], {}))


def test_extractor_is_registered_as_a_babel_entry_point():
    with (SAMPLE / "quizzes" / "sample.yaml").open("rb") as fh:
        rows = list(extract("interwar_yaml", fh, DEFAULT_KEYWORDS))
    assert len(rows) == len(_extract(SAMPLE / "quizzes" / "sample.yaml"))


def test_every_repository_file_extracts_with_unique_contexts():
    catalog = load_catalog(ROOT)
    contexts: list[str] = []
    for lesson in catalog.lessons.values():
        contexts += [e.context for e in lesson_entries(lesson)]
    for quiz in catalog.quizzes.values():
        contexts += [e.context for e in quiz_entries(quiz)]
    assert len(contexts) > 500
    assert len(contexts) == len(set(contexts))


# -- translation --------------------------------------------------------------------


def test_translate_quiz_replaces_strings_and_reports_the_rest(sample):
    quiz = sample.quiz("sample")
    messages = _messages(
        {
            ("quiz:sample|title", "Sample: check your understanding"): "Beispiel: Test",
            (
                "quiz:sample|questions.signed-when.prompt",
                "When did Germany and Soviet Russia sign the Treaty of Rapallo?",
            ): "Wann unterzeichneten Deutschland und Sowjetrussland den Vertrag?",
            (
                "quiz:sample|questions.signed-when.choices.c1.feedback",
                "That is the Treaty of Versailles.",
            ): "Das ist der Versailler Vertrag.",
        }
    )
    result = translate_quiz_with(quiz, messages, "de")
    q = result.value.question("signed-when")
    assert isinstance(q, SingleChoiceQuestion)
    assert result.value.title == "Beispiel: Test"
    assert q.prompt.startswith("Wann")
    assert q.choices[0].feedback == "Das ist der Versailler Vertrag."
    assert q.choices[1].text == "April 1922"  # not translated: English
    assert result.is_untranslated("questions.signed-when.choices.c2.text")
    assert not result.is_untranslated("questions.signed-when.prompt")
    assert not result.is_untranslated("title")
    assert result.any_untranslated("questions.signed-when")
    assert result.untranslated == {
        e.context.split("|", 1)[1] for e in quiz_entries(quiz)
    } - {
        "title",
        "questions.signed-when.prompt",
        "questions.signed-when.choices.c1.feedback",
    }
    assert quiz.title == "Sample: check your understanding"  # the original is intact


def test_fuzzy_entries_never_display(sample):
    quiz = sample.quiz("sample")
    key = ("quiz:sample|title", "Sample: check your understanding")
    result = translate_quiz_with(quiz, _messages({key: "Beispiel"}, {key}), "de")
    assert result.value.title == quiz.title
    assert result.is_untranslated("title")


def test_short_answer_accepts_the_union_of_forms(sample):
    quiz = sample.quiz("sample")
    messages = _messages(
        {
            ("quiz:sample|questions.signer.answers", "Walther Rathenau|Rathenau"): (
                "Walther Rathenau | Rathenau | Außenminister Rathenau"
            ),
            ("quiz:sample|questions.signer.wrong_answers.1.answer", "Chicherin"): (
                "Tschitscherin"
            ),
            (
                "quiz:sample|questions.signer.wrong_answers.1.feedback",
                "Chicherin signed for Soviet Russia.",
            ): "Tschitscherin unterschrieb für Sowjetrussland.",
        }
    )
    q = translate_quiz_with(quiz, messages, "de").value.question("signer")
    assert isinstance(q, ShortAnswerQuestion)
    assert q.answers == ("Walther Rathenau", "Rathenau", "Außenminister Rathenau")
    assert [w.answer for w in q.wrong_answers] == ["Chicherin", "Tschitscherin"]
    grade = get_type("short_answer").grade
    assert grade(q, "aussenminister rathenau").correct
    assert grade(q, "Rathenau").correct
    wrong = grade(q, "Tschitscherin")
    assert not wrong.correct
    assert wrong.feedback == ("Tschitscherin unterschrieb für Sowjetrussland.",)


def test_cloze_is_reparsed_and_a_gap_mismatch_falls_back(sample):
    quiz = sample.quiz("sample")
    ctx = "quiz:sample|questions.place.text"
    msgid = "The treaty was signed at {{Rapallo}} during the {{Genoa}} Conference."
    good = translate_quiz_with(
        quiz,
        _messages(
            {(ctx, msgid): "Auf der Konferenz von {{Genua|Genoa}} in {{Rapallo}}."}
        ),
        "de",
    )
    q = good.value.question("place")
    assert isinstance(q, ClozeQuestion)
    assert q.parts == ("Auf der Konferenz von ", " in ", ".")
    assert [b.answers for b in q.blanks] == [("Genua", "Genoa"), ("Rapallo",)]
    assert not good.is_untranslated("questions.place.text")
    assert not good.problems

    bad = translate_quiz_with(
        quiz, _messages({(ctx, msgid): "In {{Rapallo}} unterzeichnet."}), "de"
    )
    q = bad.value.question("place")
    assert isinstance(q, ClozeQuestion)
    assert q.text == msgid
    assert len(q.blanks) == 2
    assert bad.is_untranslated("questions.place.text")
    assert [p.path for p in bad.problems] == ["questions.place.text"]
    assert "1 gap but the English has 2" in bad.problems[0].message

    broken = translate_quiz_with(
        quiz, _messages({(ctx, msgid): "In {{Rapallo} und {{Genua}}."}), "de"
    )
    assert broken.is_untranslated("questions.place.text")
    assert broken.problems[0].message.startswith("cloze: ")


def test_markdown_is_rendered_again_and_sanitized(sample):
    lesson = sample.lesson("sample")
    body = next(s for s in lesson.sections if s.id == "outsiders").body
    messages = _messages(
        {
            ("lesson:sample|sections.outsiders.body", body.strip()): (
                "Nach 1919 standen **beide** außerhalb.\n\n<script>alert(1)</script>"
            )
        }
    )
    result = translate_lesson_with(lesson, messages, "de")
    section = result.value.section("outsiders")
    assert section is not None
    assert "<strong>beide</strong>" in section.html
    assert "<script>" not in section.html
    assert not result.is_untranslated("sections.outsiders.body")
    assert result.is_untranslated("sections.outsiders.title")
    assert result.value.section("the-treaty") == lesson.section("the-treaty")


def test_matching_options_are_translated_once_and_must_stay_distinct(sample):
    quiz = sample.quiz("sample")
    base = "quiz:sample|questions.signers"
    table = {
        (f"{base}.options.1", "Germany"): "Deutschland",
        (f"{base}.options.2", "Soviet Russia"): "Sowjetrussland",
        (f"{base}.options.3", "France"): "Frankreich",
        (f"{base}.pairs.2.left", "Georgy Chicherin"): "Georgi Tschitscherin",
    }
    q = translate_quiz_with(quiz, _messages(table), "de").value.question("signers")
    assert isinstance(q, MatchingQuestion)
    assert q.pairs == (
        ("Walther Rathenau", "Deutschland"),
        ("Georgi Tschitscherin", "Sowjetrussland"),
    )
    assert q.options == ("Deutschland", "Sowjetrussland", "Frankreich")

    table[(f"{base}.options.3", "France")] = "deutschland"
    clash = translate_quiz_with(quiz, _messages(table), "de")
    q = clash.value.question("signers")
    assert isinstance(q, MatchingQuestion)
    assert q.options == ("Germany", "Soviet Russia", "France")
    assert clash.is_untranslated("questions.signers.options.1")
    assert clash.problems


def test_pooled_questions_use_their_own_quiz_messages(sample):
    quiz = sample.quiz("sample")
    q = quiz.question("clauses")
    assert q is not None
    pooled = dataclasses.replace(q, id="sample.clauses", pool="sample")
    final = dataclasses.replace(quiz, id="final", questions=(pooled,))
    messages = _messages(
        {
            ("quiz:sample|questions.clauses.prompt", q.prompt): "Der Vertrag hatte "
            "militärische Klauseln."
        }
    )
    result = translate_quiz_with(final, messages, "de")
    assert result.value.questions[0].prompt.startswith("Der Vertrag")
    assert result.is_untranslated("questions.sample.clauses.feedback")
    assert not result.is_untranslated("questions.sample.clauses.prompt")


def test_no_catalog_means_english_with_everything_marked(sample):
    lesson = sample.lesson("sample")
    result = translate_lesson_with(lesson, None, "fr")
    assert result.value == lesson
    assert result.untranslated == {
        e.context.split("|", 1)[1] for e in lesson_entries(lesson)
    }


# -- catalogs on disk ---------------------------------------------------------------


def _write_catalog(root: Path, lang: str, rows: list[tuple[str, str, str, bool]]):
    """Write a content.po with (context, msgid, msgstr, fuzzy) rows."""
    catalog = Catalog(locale=lang, domain="content")
    for ctx, msgid, msgstr, fuzzy in rows:
        catalog.add(msgid, msgstr, context=ctx, flags=("fuzzy",) if fuzzy else ())
    path = catalog_path(root, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, catalog)
    path.write_bytes(buf.getvalue())
    return path


def test_content_translations_read_po_files_and_reload_on_change(tmp_path, sample):
    quiz = sample.quiz("sample")
    path = _write_catalog(
        tmp_path,
        "de",
        [
            ("quiz:sample|title", quiz.title, "Beispiel", False),
            ("quiz:sample|questions.terms.prompt", quiz.questions[1].prompt, "X", True),
        ],
    )
    translations = ContentTranslations.load(tmp_path)
    assert translations.languages() == ("de",)
    first = translations.translate_quiz(quiz, "de_AT")
    assert first.value.title == "Beispiel"
    assert first.is_untranslated("questions.terms.prompt")  # fuzzy
    assert translations.translate_quiz(quiz, "de") is first  # cached
    english = translations.translate_quiz(quiz, "en_GB")
    assert english.value is quiz
    assert not english.untranslated

    _write_catalog(tmp_path, "de", [("quiz:sample|title", quiz.title, "Neu", False)])
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert translations.translate_quiz(quiz, "de").value.title == "Neu"

    missing = translations.translate_quiz(quiz, "ru")
    assert missing.value is not None
    assert missing.is_untranslated("title")


def test_a_syntax_error_yields_no_translations_and_an_error(tmp_path):
    """C.8 case 14: a malformed content catalog falls back to the source text."""
    path = catalog_path(tmp_path, "de")
    path.parent.mkdir(parents=True)
    path.write_text(
        'msgid ""\nmsgstr ""\n\nmsgctxt "x"\nmsgid "a"\nmsgstr "b"\nbogus\n'
    )
    messages = read_messages(path, "de", display="de.po")
    assert not messages.translated
    assert [(e.path, e.line) for e in messages.errors] == [("de.po", 7)]
    assert "syntax error" in messages.errors[0].message


def test_coverage_and_problems_of_a_catalog(sample):
    lesson, quiz = sample.lesson("sample"), sample.quiz("sample")
    entries = located_entries([lesson], [quiz])
    by_ctx = {e.entry.context: e for e in entries}
    title = by_ctx["quiz:sample|title"]
    assert title.path.endswith("quizzes/sample.yaml")
    assert title.line == 6
    cloze = "quiz:sample|questions.place.text"
    messages = _messages(
        {
            ("quiz:sample|title", quiz.title): "Beispiel",
            ("quiz:sample|questions.clauses.prompt", "an older English prompt"): "Alt",
            (cloze, by_ctx[cloze].entry.msgid): "Nur {{eine}} Lücke.",
        },
    )
    coverage = content_coverage(entries, messages)
    assert (coverage.translated, coverage.fuzzy) == (2, 1)
    assert coverage.missing == len(entries) - 3
    stale = [u for u in coverage.untranslated if u.state == "fuzzy"]
    assert [u.context for u in stale] == ["quiz:sample|questions.clauses.prompt"]
    problems = content_problems([lesson], [quiz], messages)
    assert len(problems) == 1
    assert problems[0].path == "de.po"
    assert "1 gap but the English has 2" in problems[0].message


def test_translated_key_terms_keep_their_english_anchors(tmp_path, sample):
    """Cyrillic terms must not collapse to one anchor: links use the English slug."""
    lesson = sample.lesson(next(iter(sample.lessons)))
    rows = [
        (f"lesson:{lesson.id}|key_terms.{t.slug}.term", t.term, f"Термин {i}", False)
        for i, t in enumerate(lesson.key_terms)
    ]
    _write_catalog(tmp_path, "ru", rows)
    russian = ContentTranslations.load(tmp_path).translate_lesson(lesson, "ru").value
    assert [t.term for t in russian.key_terms][0] == "Термин 0"
    assert [t.slug for t in russian.key_terms] == [t.slug for t in lesson.key_terms]
