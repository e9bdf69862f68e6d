"""Markdown rendering: sanitized, safe links only, no images."""

from __future__ import annotations

from webapp.content.markdown import render, render_inline


def test_paragraphs_emphasis_and_lists():
    html = render("Hello *world* and **you**.\n\n- one\n- two\n")
    assert html == (
        "<p>Hello <em>world</em> and <strong>you</strong>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
    )


def test_raw_script_is_shown_as_text():
    html = render("Before <script>alert(1)</script> after")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_javascript_and_data_links_are_not_links():
    html = render("[a](javascript:alert(1)) [b](JAVASCRIPT:x) [c](data:text/html,x)")
    assert "<a" not in html
    assert "href" not in html


def test_relative_links_are_not_links():
    assert "<a" not in render("[x](../admin)")


def test_external_links_get_rel_and_fragments_do_not():
    html = render("[w](https://example.org) [s](#sources) [m](mailto:t@example.org)")
    assert '<a href="https://example.org" rel="noopener noreferrer">w</a>' in html
    assert '<a href="#sources">s</a>' in html
    assert 'href="mailto:t@example.org"' in html


def test_images_are_dropped():
    html = render("![map](https://evil.example/track.png) text <img src=x onerror=y>")
    assert "<img" not in html
    assert "evil.example" not in html


def test_headings_become_h3_and_h4():
    assert render("# A\n\n#### B") == "<h3>A</h3>\n<h4>B</h4>\n"


def test_tables_render():
    html = render("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<table>" in html
    assert "<td>1</td>" in html


def test_inline_renders_only_inline_markup():
    html = render_inline("**b** *e* `c` [l](https://x.org)\n\n- not a list")
    assert html.startswith(
        "<strong>b</strong> <em>e</em> <code>c</code> "
        '<a href="https://x.org" rel="noopener noreferrer">l</a>'
    )
    assert "<ul>" not in html
    assert "<p>" not in html


def test_empty_text_renders_empty():
    assert render("  \n") == ""
    assert render_inline("") == ""
