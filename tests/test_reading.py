"""Glossary links on sanitized HTML and dates at their precision."""

from __future__ import annotations

from flask import Flask

from webapp.content.domain import KeyTerm, TimelineEvent
from webapp.reading import event_date, event_iso, link_terms

TERMS = (
    KeyTerm("Reichswehr", "The army.", ("Reichswehr's",)),
    KeyTerm("Treaty of Rapallo", "The treaty."),
    KeyTerm("Rapallo", "The town."),
)


def test_first_use_per_call_is_linked_once() -> None:
    out = link_terms("<p>The Reichswehr and the Reichswehr again.</p>", TERMS)
    assert out.count('class="term"') == 1
    assert out == (
        '<p>The <a class="term" href="#term-reichswehr">Reichswehr</a>'
        " and the Reichswehr again.</p>"
    )


def test_never_inside_links_code_or_headings() -> None:
    html = (
        '<p><a href="https://example.org">Reichswehr</a> <code>Reichswehr</code></p>'
        "<h3>Reichswehr</h3><p>Reichswehr's men</p>"
    )
    out = link_terms(html, TERMS)
    assert '<a href="https://example.org">Reichswehr</a>' in out
    assert "<code>Reichswehr</code>" in out
    assert "<h3>Reichswehr</h3>" in out
    assert '<a class="term" href="#term-reichswehr">Reichswehr\'s</a>' in out


def test_longest_form_wins_and_words_are_whole() -> None:
    out = link_terms("<p>The Treaty of Rapallo; Rapallos; Rapallo.</p>", TERMS)
    assert '<a class="term" href="#term-treaty-of-rapallo">Treaty of Rapallo</a>' in out
    assert "Rapallos" in out
    assert '<a class="term" href="#term-rapallo">Rapallo</a>.' in out


def test_text_stays_escaped() -> None:
    out = link_terms("<p>&lt;script&gt; Reichswehr &amp; co</p>", TERMS)
    assert "&lt;script&gt;" in out
    assert "&amp; co" in out


def test_event_dates(app: Flask) -> None:
    with app.test_request_context("/"):
        assert event_date(TimelineEvent(1926, None, None, "x")) == "1926"
        assert event_date(TimelineEvent(1925, 4, None, "x")) == "April 1925"
        assert event_date(TimelineEvent(1922, 4, 16, "x")) == "16 April 1922"
    with app.test_request_context("/?lang=de"):
        from flask import session

        session["lang"] = "de"
        assert event_date(TimelineEvent(1925, 4, None, "x")) == "April 1925"
        assert event_date(TimelineEvent(1922, 4, 16, "x")) == "16. April 1922"
    assert event_iso(TimelineEvent(1925, 4, None, "x")) == "1925-04"
    assert event_iso(TimelineEvent(1922, 4, 6, "x")) == "1922-04-06"
