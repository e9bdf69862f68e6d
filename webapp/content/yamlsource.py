"""Safe YAML reading that keeps the line and column of every key and value.

We read libyaml's event stream once and build the data ourselves, so that

- anchors, aliases and non-standard tags are refused before any data exists (an alias
  bomb costs nothing: aliases are never expanded);
- duplicate keys are errors naming both lines (PyYAML silently keeps the last);
- depth is checked as events arrive, without recursion;
- every key and value gets a (line, col) keyed by its path, e.g. ("questions", 2, "id");
- plain scalars that YAML 1.1 turns into non-text (no → False, 1:30 → 90) keep the
  source text, so messages can quote what the teacher wrote.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import events as ev
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from webapp.content.errors import ContentError

try:  # libyaml is bundled with PyYAML wheels; the pure loader is ten times slower
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 50
_TOO_DEEP = (
    f"this is nested more than {MAX_DEPTH} levels deep; content files never need "
    "that many, so check the brackets and indentation"
)

YamlPath = tuple[Hashable, ...]
Position = tuple[int, int]

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_STD + t for t in ("str", "int", "float", "bool", "null"))
_MAP_TAGS = frozenset({None, "!", _STD + "map"})
_SEQ_TAGS = frozenset({None, "!", _STD + "seq"})
# Tags whose scalar keeps its text: merge (<<) and value (=) mean nothing here.
_TEXT_TAGS = frozenset({_STD + "str", _STD + "merge", _STD + "value"})
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = dict(
    Resolver.yaml_implicit_resolvers
)
_CONSTRUCTOR = SafeConstructor()
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_ALIAS_MESSAGE = (
    "anchors and aliases (&name, *name) are not allowed; write the value out in full"
)


class SurprisingInt(int):
    """A whole number YAML read from text a teacher rarely means as one (1:30, 0777)."""

    raw: str

    def __new__(cls, value: int, raw: str) -> SurprisingInt:
        """Keep the number and the text it was read from."""
        obj = super().__new__(cls, value)
        obj.raw = raw
        return obj


@dataclass(slots=True)
class Document:
    """Parsed YAML data, the position of every node, the raw text of surprises."""

    path: str
    data: Any
    positions: dict[YamlPath, Position] = field(default_factory=dict)
    key_positions: dict[YamlPath, Position] = field(default_factory=dict)
    raw: dict[YamlPath, str] = field(default_factory=dict)

    def pos(self, path: YamlPath) -> Position:
        """Return the position of the value at `path`, or of its nearest ancestor."""
        while path:
            found = self.positions.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return self.positions.get((), (1, 1))

    def key_pos(self, path: YamlPath) -> Position:
        """Return the position of the key that leads to `path` (else of the value)."""
        found = self.key_positions.get(path)
        return found if found is not None else self.pos(path)


class YamlError(Exception):
    """The file cannot be read as safe YAML; `errors` say where and why."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


class _Stop(Exception):
    """Reading cannot go on after this error."""


def load_path(path: str | Path, display: str | None = None) -> Document:
    """Read and parse a YAML file; `display` is the path used in messages."""
    name = display if display is not None else str(path)
    return load_bytes(Path(path).read_bytes(), name)


def load_bytes(data: bytes, path: str) -> Document:
    """Parse YAML bytes into a Document, or raise YamlError listing every problem."""
    if len(data) > MAX_BYTES:
        size = len(data) / (1024 * 1024)
        raise YamlError(
            [
                ContentError(
                    path,
                    1,
                    1,
                    f"this file is {size:.1f} MB; the limit is 1 MB, so split it into "
                    "several files",
                )
            ]
        )
    text = decode(data, path)
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line, col = _line_col(text, bad.start())
        code = f"U+{ord(bad.group()):04X}"
        raise YamlError(
            [
                ContentError(
                    path,
                    line,
                    col,
                    f"the invisible control character {code} is not allowed here; "
                    "delete it (it often comes from text pasted out of a PDF or a "
                    "word processor)",
                )
            ]
        )
    return load_text(text, path)


def decode(data: bytes, path: str) -> str:
    """Decode UTF-8 (a byte order mark is fine) or raise YamlError at the bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[start : exc.start].decode("utf-8", "replace")) + 1
        raise YamlError(
            [
                ContentError(
                    path,
                    line,
                    col,
                    f"this file is not saved as UTF-8 (byte 0x{data[exc.start]:02X} "
                    "here cannot be read); save it as UTF-8 in your editor",
                )
            ]
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def load_text(text: str, path: str) -> Document:
    """Parse YAML text into a Document, or raise YamlError listing every problem."""
    errors: list[ContentError] = []
    doc = Document(path, None)
    loader = _Loader(text)
    try:
        _build(loader, doc, errors)
    except yaml.MarkedYAMLError as exc:
        errors.append(_syntax_error(exc, text, path))
    except yaml.YAMLError as exc:
        errors.append(ContentError(path, 1, 1, f"YAML cannot read this file: {exc}"))
    except _Stop:
        pass
    finally:
        loader.dispose()
    if errors:
        raise YamlError(errors)
    return doc


_NO_KEY = object()


def _build(loader: Any, doc: Document, errors: list[ContentError]) -> None:
    """Turn the event stream into data, positions and raw texts (no recursion)."""
    path = doc.path
    positions = doc.positions
    key_positions = doc.key_positions
    raw = doc.raw
    # Frame: [container, its path, is_mapping, pending key, {key: line}]
    stack: list[list[Any]] = []
    documents = 0
    get_event = loader.get_event
    scalar_cls = ev.ScalarEvent
    implicit_get = _IMPLICIT.get
    while True:
        event = get_event()
        cls = event.__class__
        if cls is scalar_cls:
            if event.tag is None and event.anchor is None:
                # The common case, inlined: an untagged plain or quoted scalar.
                value = event.value
                if event.implicit[0]:
                    resolvers = implicit_get(value[:1])
                    if resolvers is not None:
                        value = _resolve_plain(value, resolvers)
            else:
                value = _scalar(event, path, errors)
        elif cls is ev.MappingStartEvent or cls is ev.SequenceStartEvent:
            is_map = cls is ev.MappingStartEvent
            if event.anchor is not None:
                _alias_error(path, event, errors)
            if event.tag not in (_MAP_TAGS if is_map else _SEQ_TAGS):
                errors.append(_at(path, event, _tag_message(event.tag)))
            if len(stack) >= MAX_DEPTH:
                errors.append(_at(path, event, _TOO_DEEP))
                raise _Stop
            value = {} if is_map else []
        elif cls is ev.MappingEndEvent or cls is ev.SequenceEndEvent:
            stack.pop()
            continue
        elif cls is ev.AliasEvent:
            _alias_error(path, event, errors)
            value = None
        elif cls is ev.DocumentStartEvent:
            documents += 1
            if documents > 1:
                errors.append(
                    _at(
                        path,
                        event,
                        "a file holds one YAML document: remove this '---' and what "
                        "follows, or move it to a file of its own",
                    )
                )
                raise _Stop
            continue
        elif cls is ev.StreamEndEvent:
            return
        else:  # StreamStart, DocumentEnd
            continue

        mark = event.start_mark
        pos = (mark.line + 1, mark.column + 1)
        if not stack:
            doc.data = value
            positions[()] = pos
            here: YamlPath = ()
        else:
            frame = stack[-1]
            if frame[2]:
                if frame[3] is _NO_KEY:
                    if cls is not scalar_cls:
                        errors.append(
                            _at(
                                path,
                                event,
                                "a key must be a plain word, not a list or a mapping",
                            )
                        )
                        raise _Stop
                    key = value
                    seen = frame[4]
                    if key in seen:
                        errors.append(
                            ContentError(
                                path,
                                pos[0],
                                pos[1],
                                f"duplicate key '{key}' (first defined on line "
                                f"{seen[key]}); keep only one",
                            )
                        )
                    else:
                        seen[key] = pos[0]
                    key_positions[frame[1] + (key,)] = pos
                    frame[3] = key
                    continue
                key = frame[3]
                here = frame[1] + (key,)
                frame[0][key] = value
                frame[3] = _NO_KEY
            else:
                container = frame[0]
                here = frame[1] + (len(container),)
                container.append(value)
            positions[here] = pos
        if cls is scalar_cls:
            if value.__class__ is not str and value is not None:
                raw[here] = event.value
        elif cls is not ev.AliasEvent:
            stack.append([value, here, cls is ev.MappingStartEvent, _NO_KEY, {}])


def _scalar(event: Any, path: str, errors: list[ContentError]) -> Any:
    """Resolve a scalar event as YAML 1.1's safe types do."""
    value: str = event.value
    tag = event.tag
    if event.anchor is not None:
        _alias_error(path, event, errors)
    if tag is None or tag == "!":
        if not event.implicit[0]:
            return value
        resolvers = _IMPLICIT.get(value[:1])
        return value if resolvers is None else _resolve_plain(value, resolvers)
    if tag in _TEXT_TAGS:
        return value
    if tag in _SCALAR_TAGS:
        try:
            return _construct(tag, value)
        except (yaml.YAMLError, ValueError, KeyError):
            errors.append(_at(path, event, f"{value!r} is not a valid {_short(tag)}"))
            return None
    errors.append(_at(path, event, _tag_message(tag)))
    return None


def _resolve_plain(value: str, resolvers: list[tuple[str, re.Pattern[str]]]) -> Any:
    """Give a plain scalar its YAML 1.1 type (bool, int, float, null, date)."""
    for resolved, regexp in resolvers:
        if regexp.match(value):
            try:
                return _construct(resolved, value)
            except (yaml.YAMLError, ValueError, KeyError, OverflowError):
                # e.g. 1922-02-30 looks like a date but is none: keep the text
                return value
    return value


def _alias_error(path: str, event: Any, errors: list[ContentError]) -> None:
    """Report the first anchor or alias only: one is enough to explain the rule."""
    if not any(e.message is _ALIAS_MESSAGE for e in errors):
        errors.append(_at(path, event, _ALIAS_MESSAGE))


def _construct(tag: str, value: str) -> Any:
    """Build the Python value of an implicitly or explicitly typed scalar."""
    if tag in _TEXT_TAGS:
        return value
    if tag == _BOOL_TAG:
        # What SafeConstructor does, without building a node (every choice has one).
        return _CONSTRUCTOR.bool_values[value.lower()]
    if tag == _INT_TAG and value.isdecimal() and value.isascii() and value[0] != "0":
        return int(value)  # plain digits; 0-prefixed, signed, 1_000 and 1:30 below
    result = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, ScalarNode(tag, value))
    if result.__class__ is int and (
        ":" in value or (len(value) > 1 and value.lstrip("+-")[:1] == "0")
    ):
        return SurprisingInt(result, value)
    return result


def _short(tag: str | None) -> str:
    """Show a tag the way it is written in YAML."""
    if tag is None:
        return ""
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


def _tag_message(tag: str | None) -> str:
    """Explain that a tag is not allowed."""
    return (
        f"the tag {_short(tag)} is not allowed; remove it (put the text in quotes "
        "if it really starts with !)"
    )


def _at(path: str, event: Any, message: str) -> ContentError:
    """Make an error at an event's start."""
    mark = event.start_mark
    return ContentError(path, mark.line + 1, mark.column + 1, message)


def _line_col(text: str, index: int) -> Position:
    """Return the 1-based line and column of a character index."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _flow_depth_position(text: str, depth: int) -> tuple[int, int]:
    """Return the 1-based line and column where flow brackets nest `depth` deep."""
    level, line, col, quote = 0, 1, 0, ""
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            level += 1
            if level >= depth:
                return line, col
        elif ch in "]}":
            level -= 1
    return 1, 1


def _char(text: str, mark: Any) -> str:
    """Return the character at a mark, or '' past the end."""
    lines = text.split("\n")
    line: int = mark.line
    column: int = mark.column
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def _open_bracket(text: str, last_line: int) -> tuple[int, int, str] | None:
    """Find the innermost [ or { still open at the start of `last_line` (0-based)."""
    stack: list[tuple[int, int, str]] = []
    for number, line in enumerate(text.split("\n")[: last_line + 1]):
        quote = ""
        for col, char in enumerate(line):
            if quote:
                if char == quote:
                    quote = ""
            elif char in "\"'" and (col == 0 or line[col - 1] in " [{,:"):
                quote = char
            elif char == "#" and (col == 0 or line[col - 1] == " "):
                break
            elif char in "[{":
                stack.append((number + 1, col + 1, char))
            elif char in "]}" and stack:
                stack.pop()
    return stack[-1] if stack else None


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: str) -> ContentError:
    """Turn a libyaml scanner or parser error into a plain-English ContentError."""
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    ctx = exc.context_mark or mark
    message = f"YAML cannot read this: {problem}"
    if "maximum nesting depth" in problem:
        # libyaml >= 0.2.6 (PyYAML 6.0.4) stops deep flow nesting while scanning,
        # before our walker sees depth 50: report it the same way, at the same place.
        line, col = _flow_depth_position(text, MAX_DEPTH)
        return ContentError(path, line, col, _TOO_DEEP)
    if "tab character" in problem or (
        "cannot start any token" in problem and _char(text, mark) == "\t"
    ):
        message = "tab characters cannot indent YAML; use spaces"
    elif "quoted scalar" in context and "end of stream" in problem:
        quote = _char(text, ctx) or '"'
        mark = ctx
        message = (
            f"the text opened with {quote} here is never closed; add the closing "
            f"{quote} at the end of the text"
        )
    elif "quoted scalar" in context and "escape" in problem:
        message = (
            "unknown escape after \\ in double quotes; write \\\\ for a backslash, "
            "or use single quotes"
        )
    elif "flow node" in context and "node content" in problem:
        opened = _open_bracket(text, mark.line if mark else 0)
        if opened is not None:
            mark = None
            line, col, char = opened
            closing = "]" if char == "[" else "}"
            kind = "list" if char == "[" else "mapping"
            return ContentError(
                path,
                line,
                col,
                f"the {kind} opened with {char} here is never closed; add the closing "
                f"{closing} (or put the text in quotes if the {char} is part of it)",
            )
        message = "a value is missing here; write one, or remove the comma before it"
    elif "flow sequence" in context:
        mark = ctx
        message = (
            "the list opened with [ here is never closed; add the closing ] "
            "(or put the text in quotes if the [ is part of it)"
        )
    elif "flow mapping" in context:
        mark = ctx
        message = (
            "the mapping opened with { here is never closed; add the closing } "
            "(or put the text in quotes if the { is part of it)"
        )
    elif "mapping values are not allowed" in problem:
        message = (
            "unexpected 'key: value' here: if the colon is part of the text, put the "
            "whole text in quotes; otherwise check this line's indentation"
        )
    elif "could not find expected ':'" in problem:
        mark = ctx
        message = (
            "expected 'key: value' on this line: add the colon after the key, or "
            "indent the line if it continues the text above"
        )
    elif "expected key" in problem:
        message = (
            "this line does not line up with the keys above it; indent it with the "
            "same number of spaces"
        )
    elif "expected '-' indicator" in problem:
        message = (
            "this line does not line up with the lines above it: list items start "
            "with '- ' at the same indentation, and the keys of a mapping line up "
            "under each other"
        )
    elif "cannot start any token" in problem:
        char = _char(text, mark)
        message = (
            f"a value cannot start with {char} unless it is in quotes; put the text "
            "in quotes"
        )
    elif "tag" in problem:
        message = _tag_message(_char(text, mark) or "!")
    elif "expected <block end>" in problem:
        message = (
            "this line's indentation does not fit the lines above it; check the "
            "spaces at the start of the line"
        )
    elif "expected <document start>" in problem:
        message = (
            "unexpected text after the end of the document; check the indentation "
            "of this line"
        )
    if mark is None:
        return ContentError(path, 1, 1, message)
    return ContentError(path, mark.line + 1, mark.column + 1, message)
