"""Fill msgstr entries of a content catalog from a JSON file of {msgctxt: msgstr}.

Translators working on different units of one language run this at the same time,
so the read-modify-write of the .po file happens under an exclusive file lock.

    python tools/po_fill.py de my-translations.json [--domain content|messages]

For the messages domain, keys are msgids (the interface has no contexts); a value
for a plural entry is a list of forms. Unknown keys are reported, not added.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import sys
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po, unescape, write_po

ROOT = Path(__file__).resolve().parent.parent


def _restore_previous(msg: Message) -> None:
    """Turn '#| msgid' lines, which Babel reads as comments, back into previous_id.

    Written back as comments they would come out as '# | msgid', junk that hides
    from translators what the English used to say.
    """
    kept, previous = [], []
    for line in msg.user_comments:
        if line.startswith("| "):
            previous.append(line[2:].strip())
        else:
            kept.append(line)
    if not previous:
        return
    msg.user_comments = kept
    ids = [unescape(p.split(" ", 1)[1]) for p in previous if p.startswith("msgid ")]
    ids += [unescape(p) for p in previous if p.startswith('"')]
    msg.previous_id = ["".join(ids)] if ids else []


def main() -> int:
    """Merge the JSON translations into the catalog and report what did not fit."""
    ap = argparse.ArgumentParser()
    ap.add_argument("lang")
    ap.add_argument("json_file")
    ap.add_argument("--domain", default="content", choices=["content", "messages"])
    args = ap.parse_args()
    content = args.domain == "content"
    base = ROOT / "translations" if content else ROOT / "webapp/translations"
    po_path = base / args.lang / "LC_MESSAGES" / f"{args.domain}.po"
    text = Path(args.json_file).read_text("utf-8")
    data: dict[str, str | list[str]] = json.loads(text)
    lock = po_path.with_suffix(".lock")
    with lock.open("w") as lf:
        fcntl.flock(lf, fcntl.LOCK_EX)
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=args.lang, domain=args.domain)
        by_key = {}
        for msg in catalog:
            _restore_previous(msg)
            if args.domain == "content":
                # Content is never %-formatted; "13% of" is not a placeholder.
                msg.flags.discard("python-format")
            if not msg.id:
                continue
            key = (
                msg.context
                if args.domain == "content"
                else (msg.id if isinstance(msg.id, str) else msg.id[0])
            )
            by_key[key] = msg
        unknown = []
        filled = 0
        for key, value in data.items():
            msg = by_key.get(key)
            if msg is None:
                unknown.append(key)
                continue
            if isinstance(msg.id, tuple | list):
                msg.string = tuple(value) if isinstance(value, list) else (value,)
            else:
                msg.string = value if isinstance(value, str) else value[0]
            msg.flags.discard("fuzzy")
            msg.previous_id = []
            filled += 1
        # Write then rename, so a reader (interwar check) never sees half a file.
        tmp = po_path.with_suffix(".po.tmp")
        with tmp.open("wb") as f:
            write_po(f, catalog, width=76, include_previous=True)
        tmp.replace(po_path)
        fcntl.flock(lf, fcntl.LOCK_UN)
    print(f"{po_path}: filled {filled}")
    for key in unknown:
        print(f"unknown key (not in the catalog): {key}", file=sys.stderr)
    return 1 if unknown else 0


if __name__ == "__main__":
    raise SystemExit(main())
