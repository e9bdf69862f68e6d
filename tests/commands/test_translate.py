"""`interwar translate` and the translation part of `interwar check`, end to end."""

from __future__ import annotations

import configparser
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from webapp.cli import main
from webapp.commands import translate
from webapp.content.catalog import load_catalog
from webapp.content.i18n import ContentTranslations, catalog_path, template_path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample"
PROMPT = "Which German foreign minister signed the Treaty of Rapallo?"
PROMPT_CTX = "quiz:sample|questions.signer.prompt"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample content root; the interface catalogs in tmp too."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    monkeypatch.setattr(translate, "INTERFACE_DIR", tmp_path / "interface")
    monkeypatch.chdir(content)
    return content


def run(*args: str) -> tuple[int, str]:
    """Run `interwar ...`; return the exit code and stdout + stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _edit_po(path: Path, changes: dict[tuple[str, str], str]) -> None:
    """Set msgstrs in a .po file by (context, msgid), clearing fuzzy flags."""
    with path.open("rb") as fh:
        catalog = read_po(fh)
    for (ctx, msgid), msgstr in changes.items():
        message = catalog.get(msgid, ctx)
        assert message is not None, (ctx, msgid)
        message.string = msgstr
        message.flags.discard("fuzzy")
    buf = io.BytesIO()
    write_po(buf, catalog)
    path.write_bytes(buf.getvalue())


def _init_content(root: Path, *langs: str) -> None:
    """Extract the content and start catalogs for `langs`."""
    assert run("translate", "extract", "--domain", "content", "--content", ".")[0] == 0
    for lang in langs:
        code, out = run(
            "translate", "init", lang, "--domain", "content", "--content", "."
        )
        assert code == 0, out


def test_extract_init_translate_compile_then_german_text(root: Path):
    _init_content(root, "de", "ru")
    pot = template_path(root).read_text()
    assert 'msgctxt "quiz:sample|questions.signer.answers"' in pot
    assert "#: quizzes/sample.yaml:42" in pot
    po = catalog_path(root, "de")
    assert "Plural-Forms: nplurals=3" in catalog_path(root, "ru").read_text()
    _edit_po(po, {(PROMPT_CTX, PROMPT): "Welcher deutsche Außenminister unterschrieb?"})

    code, out = run("translate", "compile", "--domain", "content", "--content", ".")
    assert code == 0, out
    with po.with_suffix(".mo").open("rb") as fh:
        mo = read_mo(fh)
    assert mo.get(PROMPT, PROMPT_CTX).string.startswith("Welcher")

    quiz = load_catalog(root).quiz("sample")
    assert quiz is not None
    result = ContentTranslations.load(root).translate_quiz(quiz, "de")
    signer = result.value.question("signer")
    assert signer is not None
    assert signer.prompt == "Welcher deutsche Außenminister unterschrieb?"
    assert not result.is_untranslated("questions.signer.prompt")
    assert result.is_untranslated("questions.signer.explanation") is False  # none
    assert result.is_untranslated("questions.signed-when.prompt")


def test_changed_english_becomes_fuzzy_and_falls_back_for_that_field(root: Path):
    _init_content(root, "de")
    po = catalog_path(root, "de")
    title = "Sample: check your understanding"
    _edit_po(
        po,
        {
            (PROMPT_CTX, PROMPT): "Welcher deutsche Außenminister unterschrieb?",
            ("quiz:sample|title", title): "Beispiel: Test",
        },
    )
    quiz_file = root / "quizzes" / "sample.yaml"
    quiz_file.write_text(
        quiz_file.read_text().replace(PROMPT, PROMPT.replace("German", "Weimar"))
    )
    assert run("translate", "extract", "--domain", "content", "--content", ".")[0] == 0
    code, out = run("translate", "update", "--domain", "content", "--content", ".")
    assert code == 0, out
    text = po.read_text()
    assert "#, fuzzy" in text
    assert f'#| msgid "{PROMPT}"' in text  # the old English, for the translator

    quiz = load_catalog(root).quiz("sample")
    assert quiz is not None
    result = ContentTranslations.load(root).translate_quiz(quiz, "de")
    signer = result.value.question("signer")
    assert signer is not None
    assert signer.prompt == PROMPT.replace("German", "Weimar")
    assert result.is_untranslated("questions.signer.prompt")
    assert result.value.title == "Beispiel: Test"
    assert not result.is_untranslated("title")

    code, out = run("check", ".")
    assert code == 0, out
    fuzzy = [line for line in out.splitlines() if ": fuzzy (de): " in line]
    assert len(fuzzy) == 1
    assert fuzzy[0].startswith("translations/de/LC_MESSAGES/content.po:")
    assert "[quiz:sample|questions.signer.prompt] Which Weimar foreign" in fuzzy[0]
    assert "translations de: content 1/62 translated, 1 fuzzy, 60 missing" in out
    assert out.endswith("1 lesson, 1 quiz, 9 questions: no errors\n")
    assert run("check", ".", "--strict-translations")[0] == 1
    code, out = run("check", ".", "--verbose")
    assert sum(": missing (de): " in line for line in out.splitlines()) == 60

    code, out = run("check", ".", "--format", "json")
    data = json.loads(out)
    assert data["translations"]["de"]["content"] == {
        "translated": 1,
        "fuzzy": 1,
        "missing": 60,
    }
    assert data["summary"]["ok"] is True


def test_cloze_gap_mismatch_fails_compile_and_check(root: Path):
    _init_content(root, "de")
    msgid = "The treaty was signed at {{Rapallo}} during the {{Genoa}} Conference."
    _edit_po(
        catalog_path(root, "de"),
        {("quiz:sample|questions.place.text", msgid): "In {{Rapallo}} unterzeichnet."},
    )
    code, out = run("translate", "compile", "--domain", "content", "--content", ".")
    assert code == 1
    assert "translations/de/LC_MESSAGES/content.po:" in out
    assert "cloze: the translation has 1 gap but the English has 2" in out
    code, out = run("check", ".")
    assert code == 1
    assert "1 error in 1 file" in out


def test_percent_signs_in_content_are_not_format_placeholders(root: Path):
    lesson_file = root / "lessons" / "sample.yaml"
    lesson_file.write_text(
        lesson_file.read_text().replace(
            "summary: Two outcasts", "summary: About 13% of Germany; two outcasts"
        )
    )
    _init_content(root, "de")
    assert "python-format" not in catalog_path(root, "de").read_text()
    summary = "About 13% of Germany; two outcasts of the Versailles order restore "
    _edit_po(
        catalog_path(root, "de"),
        {("lesson:sample|summary", summary + "relations."): "Etwa 13 % des Landes."},
    )
    code, out = run("translate", "compile", "--domain", "content", "--content", ".")
    assert code == 0, out


def _interface_catalog(tmp_dir: Path, msgstr: str) -> Path:
    """Write an interface messages.pot and a German messages.po."""
    template = Catalog(project="x")
    template.add("Question %(n)s", locations=[("webapp/views/x.py", 3)])
    tmp_dir.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    write_po(buf, template)
    (tmp_dir / "messages.pot").write_bytes(buf.getvalue())
    catalog = Catalog(locale="de")
    catalog.add("Question %(n)s", msgstr)
    path = tmp_dir / "de" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    buf = io.BytesIO()
    write_po(buf, catalog)
    path.write_bytes(buf.getvalue())
    return path


def test_compile_fails_on_a_broken_placeholder(root: Path, tmp_path: Path):
    po = _interface_catalog(tmp_path / "interface", "Frage %(m)s")
    code, out = run("translate", "compile", "--domain", "messages")
    assert code == 1
    assert f"{po}:" in out
    assert "error: unknown named placeholder 'm'" in out
    assert not po.with_suffix(".mo").exists()

    _interface_catalog(tmp_path / "interface2", "Frage %(n)s")
    shutil.rmtree(tmp_path / "interface")
    (tmp_path / "interface2").rename(tmp_path / "interface")
    code, out = run("translate", "compile", "--domain", "messages")
    assert code == 0, out
    assert po.with_suffix(".mo").exists()


def test_check_counts_catalog_syntax_errors(root: Path):
    _init_content(root, "de")
    po = catalog_path(root, "de")
    po.write_text(po.read_text() + '\nmsgctxt "x"\nmsgid "y"\nnonsense\n')
    code, out = run("check", ".")
    assert code == 1
    line = len(po.read_text().splitlines())
    assert (
        f"translations/de/LC_MESSAGES/content.po:{line}:1: catalog syntax error" in out
    )


def test_interface_coverage_is_reported_with_the_repository(root: Path, tmp_path):
    _interface_catalog(tmp_path / "interface", "")
    code, out = run("check")  # the default root: the repository, with the interface
    assert "translations de: interface 0/1 translated, 0 fuzzy, 1 missing" in out
    code, out = run("check", ".")  # another content root: not the interface
    assert "interface" not in out


def test_extract_refuses_broken_content(root: Path):
    (root / "quizzes" / "sample.yaml").write_text("schema_version: 1\nid: sample\n")
    code, out = run("translate", "extract", "--domain", "content", "--content", ".")
    assert code == 1
    assert "fix the content errors above first" in out
    assert not template_path(root).exists()


def test_init_rejects_an_unknown_language_and_needs_a_template(root: Path):
    assert run("translate", "init", "xx-nonsense", "--content", ".")[0] == 2
    code, out = run("translate", "init", "de", "--domain", "content", "--content", ".")
    assert code == 2
    assert "run interwar translate extract first" in out


def test_init_keeps_an_existing_catalog(root: Path):
    _init_content(root, "de")
    before = catalog_path(root, "de").read_text()
    code, out = run("translate", "init", "de", "--domain", "content", "--content", ".")
    assert code == 0
    assert "exists; leaving it" in out
    assert catalog_path(root, "de").read_text() == before


def test_mapping_files_match_the_command(tmp_path: Path):
    def sections(name: str) -> list[tuple[str, str]]:
        parser = configparser.ConfigParser()
        parser.read(REPO / name)
        return [
            (s.split(":", 1)[1].strip(), s.split(":", 1)[0]) for s in parser.sections()
        ]

    assert sections("babel.cfg") == translate.INTERFACE_MAP
    assert sections("babel-content.cfg") == translate.CONTENT_MAP


def test_pybabel_extract_through_the_entry_point_matches(root: Path, tmp_path: Path):
    pybabel = shutil.which("pybabel")
    if pybabel is None:
        pytest.skip("pybabel is not on PATH")
    out = tmp_path / "pybabel.pot"
    subprocess.run(
        [
            pybabel,
            "-q",
            "extract",
            "-F",
            str(REPO / "babel-content.cfg"),
            "-o",
            str(out),
            ".",
        ],
        check=True,
        cwd=root,
    )
    assert run("translate", "extract", "--domain", "content", "--content", ".")[0] == 0

    def entries(path: Path) -> list[tuple[str | None, str, list[tuple[str, int]]]]:
        with path.open("rb") as fh:
            return [(m.context, m.id, m.locations) for m in read_po(fh) if m.id]

    theirs, ours = entries(out), entries(template_path(root))
    assert len(ours) == 62
    assert sorted(theirs, key=str) == sorted(ours, key=str)
