"""Keyboard-only helpers: move focus with Tab/Shift+Tab, answer each type with keys.

Nothing here clicks. Reading the DOM (which radio is which, which question is on the
page) is allowed; changing it is not.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from playwright.sync_api import Page

from webapp.content.domain import (
    ClozeQuestion,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    Quiz,
    ShortAnswerQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

MAX_PRESSES = 120

_AFTER = """(sel) => {
  const target = document.querySelector(sel);
  if (!target) { return null; }
  const active = document.activeElement;
  if (!active || active === document.body) { return true; }
  return !!(active.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


def focused_matches(page: Page, selector: str) -> bool:
    """Return True when the focused element matches `selector`."""
    return bool(
        page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)",
            selector,
        )
    )


def wait_focused(page: Page, selector: str, timeout: float = 3.0) -> bool:
    """Wait until `selector` has focus (autofocus runs after load); True if so."""
    deadline = time.monotonic() + timeout
    while not focused_matches(page, selector):
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(25)
    return True


def tab_to(page: Page, selector: str) -> None:
    """Press Tab, or Shift+Tab when the target is above, until it has focus."""
    after = page.evaluate(_AFTER, selector)
    assert after is not None, f"no element {selector!r} on {page.url}"
    key = "Tab" if after else "Shift+Tab"
    for _ in range(MAX_PRESSES):
        if focused_matches(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached {selector!r} on {page.url}")


def activate(page: Page, selector: str, key: str = "Enter") -> None:
    """Focus an element by keyboard and press Enter (or Space) on it."""
    tab_to(page, selector)
    page.keyboard.press(key)


def question_on_page(page: Page, quiz: Quiz) -> Question:
    """Return the quiz question whose prompt the page shows (the longest match)."""
    text = " ".join(page.locator("main").inner_text().split())
    found = [q for q in quiz.questions if " ".join(q.prompt.split()) in text]
    assert found, f"no question of {quiz.id} on {page.url}"
    return max(found, key=lambda q: len(q.prompt))


def _choose_radio(page: Page, labels: list[str], wanted: str) -> None:
    index = labels.index(wanted)
    tab_to(page, "input.choice__input")  # Tab enters the group on its first radio
    if index == 0:
        page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowDown")  # moves and selects
    checked = page.locator("input.choice__input:checked")
    assert checked.count() == 1
    assert checked.get_attribute("id") == page.locator("input.choice__input").nth(
        index
    ).get_attribute("id")


def _choose_option(page: Page, select_id: str, wanted_text: str) -> None:
    options = page.locator(f"#{select_id} option").all_inner_texts()
    index = [o.strip() for o in options].index(wanted_text)
    tab_to(page, f"#{select_id}")
    page.keyboard.press("Home")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    selected = page.evaluate(
        "(id) => document.getElementById(id).selectedIndex", select_id
    )
    assert selected == index, (select_id, wanted_text)


def _type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _rows(page: Page, row_class: str) -> list[tuple[str, str]]:
    """Return (label text, select id) for each ordering item or matching row."""
    out = []
    for row in page.locator(f"li.{row_class}").all():
        label = " ".join(row.locator("label").inner_text().split())
        out.append((label, row.locator("select").get_attribute("id") or ""))
    return out


def _order_with_buttons(page: Page, wanted: list[str], status_word: str) -> None:
    """Put items in `wanted` order with the Move up buttons (JavaScript on)."""
    # app.js (deferred) adds the buttons after the page is parsed: on a busy
    # machine the test can read the list before they exist.
    page.wait_for_selector("li.order__item button[data-dir='up']", state="attached")
    moved = False
    for position, text in enumerate(wanted):
        labels = [
            " ".join(t.split())
            for t in page.locator("li.order__item label").all_inner_texts()
        ]
        index = labels.index(text)
        if index == position:
            continue
        selector = f"li.order__item:nth-child({index + 1}) button[data-dir='up']"
        tab_to(page, selector)
        for _ in range(index - position):
            page.keyboard.press("Enter")
        moved = True
        # Focus stays on the item's button while it moves.
        focused = page.evaluate(
            "() => document.activeElement.closest('li') && document.activeElement"
            ".closest('li').querySelector('label').textContent.trim()"
        )
        assert focused == text, (focused, text, index, position)
    labels = [
        " ".join(t.split())
        for t in page.locator("li.order__item label").all_inner_texts()
    ]
    assert labels == wanted
    if moved:  # the shuffle may have dealt the wanted order: nothing to announce
        status = page.locator("ul.order + [role='status']").inner_text()
        assert status_word in status, status


def answer(
    page: Page,
    q: Question,
    *,
    right: bool,
    js: bool,
    words: Mapping[str, str] | None = None,
) -> None:
    """Answer q on the current page with the keyboard: right, or wrong.

    `words` gives the interface's words for another language than English: "True",
    "False", "position", "(first)", "(last)", and "short answer" (a form to type).
    """
    said = {"True": "True", "False": "False", "position": "position"}
    said.update({"(first)": "(first)", "(last)": "(last)", **(words or {})})
    if isinstance(q, SingleChoiceQuestion):
        labels = [
            " ".join(t.split())
            for t in page.locator(".choice__label").all_inner_texts()
        ]
        pick = next(c for c in q.choices if c.correct is right)
        _choose_radio(page, labels, pick.text)
    elif isinstance(q, TrueFalseQuestion):
        labels = [
            " ".join(t.split())
            for t in page.locator(".choice__label").all_inner_texts()
        ]
        value = q.answer if right else not q.answer
        _choose_radio(page, labels, said["True"] if value else said["False"])
    elif isinstance(q, MultipleChoiceQuestion):
        labels = [
            " ".join(t.split())
            for t in page.locator(".choice__label").all_inner_texts()
        ]
        ids = page.locator("input.choice__input").evaluate_all(
            "(els) => els.map((e) => e.id)"
        )
        wanted = [c.text for c in q.choices if c.correct is right]
        # Last box first, then Shift+Tab back up to the earlier ones.
        for text in sorted(wanted, key=labels.index, reverse=True):
            tab_to(page, f"#{ids[labels.index(text)]}")
            page.keyboard.press("Space")
        assert page.locator("input.choice__input:checked").count() == len(wanted)
    elif isinstance(q, ShortAnswerQuestion):
        typed = said.get("short answer", q.answers[0])
        _type_into(page, "input.input", typed if right else "Stresemann")
    elif isinstance(q, NumericQuestion):
        _type_into(page, "input.input", str(int(q.answer)) if right else "250000")
    elif isinstance(q, OrderingQuestion):
        wanted = list(q.items) if right else list(reversed(q.items))
        if js:
            _order_with_buttons(page, wanted, said["position"])
        else:
            for label, select_id in _rows(page, "order__item"):
                pos = wanted.index(label) + 1
                first, last = said["(first)"], said["(last)"]
                option = {1: f"{pos} {first}", len(wanted): f"{pos} {last}"}.get(
                    pos, str(pos)
                )
                _choose_option(page, select_id, option)
    elif isinstance(q, MatchingQuestion):
        pairs = dict(q.pairs)
        options = list(q.options)
        for label, select_id in _rows(page, "match__row"):
            target = pairs[label]
            if not right:
                target = options[(options.index(target) + 1) % len(options)]
            _choose_option(page, select_id, target)
    elif isinstance(q, ClozeQuestion):
        gaps = page.locator("p.cloze input").evaluate_all(
            "(els) => els.map((e) => e.id)"
        )
        fills = [b.answers[0] if right else "nowhere" for b in q.blanks]
        for gap_id, word in reversed(list(zip(gaps, fills, strict=True))):
            _type_into(page, f"#{gap_id}", word)
    else:  # pragma: no cover - a new type needs its keyboard path here
        raise AssertionError(q.type)


def csp_listener() -> str:
    """Return an init script that records CSP violations in window.__csp."""
    return (
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )


def csp_violations(page: Page) -> list[Any]:
    """Return the CSP violations recorded on the current page (JS contexts)."""
    got: list[Any] = page.evaluate("() => window.__csp || []")
    return got
