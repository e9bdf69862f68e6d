"""Teacher Markdown to sanitized HTML, rendered once at load time.

Three layers: markdown-it with raw HTML off (so <script> stays text), a link check
that only lets http(s), mailto and #fragment links through, and nh3 with an explicit
allowlist as defence in depth. Images are dropped: an external image would tell
another server who is reading (privacy of minors).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

BLOCK_TAGS = frozenset(
    {
        "p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre",
        "h3", "h4", "br", "hr", "table", "thead", "tbody", "tr", "th", "td",
        "abbr", "sup", "sub",
    }
)  # fmt: skip
INLINE_TAGS = frozenset({"em", "strong", "code", "a", "br"})
ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "abbr": {"title"},
    "ol": {"start"},
}
SCHEMES = frozenset({"http", "https", "mailto"})
_SAFE_PREFIXES = ("http://", "https://", "mailto:", "#")


def _safe_link(url: str) -> bool:
    """Allow only http(s), mailto and #fragment links."""
    return url.strip().lower().startswith(_SAFE_PREFIXES)


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """Drop any href that is not an allowed kind of link."""
    if attr == "href":
        return value if _safe_link(value) else None
    return value


def _heading(
    self: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    """Render headings as h3/h4: the page and the section titles own h1 and h2."""
    token = tokens[idx]
    level = int(token.tag[1])
    token.tag = "h3" if level <= 3 else "h4"
    return self.renderToken(tokens, idx, options, env)


def _link_open(
    self: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    """Mark links that leave the site noopener noreferrer."""
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if not href.startswith("#"):
        token.attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def _make() -> MarkdownIt:
    """Build the one Markdown parser: CommonMark, raw HTML off, tables on."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.validateLink = _safe_link  # type: ignore[method-assign]
    md.add_render_rule("heading_open", _heading)
    md.add_render_rule("heading_close", _heading)
    md.add_render_rule("link_open", _link_open)
    return md


_MD = _make()


def _clean(html: str, tags: frozenset[str]) -> str:
    """Sanitize with the explicit allowlist."""
    attributes = {t: set(a) for t, a in ATTRIBUTES.items() if t in tags}
    return nh3.clean(
        html,
        tags=set(tags),
        clean_content_tags={"script", "style"},
        attributes=attributes,
        attribute_filter=_attribute_filter,
        url_schemes=set(SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def render(text: str) -> str:
    """Render block Markdown (paragraphs, lists, tables...) to sanitized HTML."""
    if not text.strip():
        return ""
    return _clean(_MD.render(text), BLOCK_TAGS)


def render_inline(text: str) -> str:
    """Render inline Markdown only (emphasis, code, links) for prompts and feedback."""
    if not text:
        return ""
    env: dict[str, Any] = {}
    return _clean(_MD.renderInline(text, env), INLINE_TAGS)
