"""The markers that tie the documentation to the code and to real runs.

Three kinds of fenced block in the README and the examples' READMEs carry an HTML comment just
above them, so the tests can find them:

- ``<!-- example: PATH -->``: a snippet that must appear verbatim in ``PATH`` (repo-relative);
- ``<!-- edit: PATH -->``: a unified-diff-style edit (``-``/``+`` lines) of ``PATH`` that the
  documentation tells the reader to make; the engine tests apply exactly that edit;
- ``<!-- output: ID -->``: text captured from a real ``pulumi`` run; the engine test that
  produces ``ID`` compares a fresh run with it (``VDM_UPDATE_CAPTURES=1`` rewrites the block);
- ``<!-- run: ID -->``: a self-contained Python snippet that ``tests/test_readme.py`` executes.

A plain module rather than a conftest so that both the fast tests and the engine tests can use
the same parser.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLES = ROOT / "examples"
UPDATE_ENV = "VDM_UPDATE_CAPTURES"

_BLOCK = re.compile(
    r"<!-- (?P<kind>example|edit|output|run): (?P<ref>[^ ]+) -->\n"
    r"(?P<fence>```+)(?P<lang>[^\n]*)\n(?P<body>.*?)\n(?P=fence)\n",
    re.DOTALL,
)


@dataclass(frozen=True)
class Block:
    doc: Path
    kind: str
    ref: str
    body: str
    start: int  # offset of the body in the document
    end: int


def documents() -> list[Path]:
    return [README, *sorted(EXAMPLES.glob("*/README.md"))]


def blocks(doc: Path, kind: str | None = None) -> list[Block]:
    text = doc.read_text()
    return [
        Block(doc, m["kind"], m["ref"], m["body"], m.start("body"), m.end("body"))
        for m in _BLOCK.finditer(text)
        if kind is None or m["kind"] == kind
    ]


def find(kind: str, ref: str) -> Block:
    found = [b for doc in documents() for b in blocks(doc, kind) if b.ref == ref]
    if len(found) != 1:
        raise AssertionError(f"expected one <!-- {kind}: {ref} --> block, found {len(found)}")
    return found[0]


def apply_edit(source: str, edit: str) -> str:
    """Apply a unified-diff hunk without its header: context (`` ``) and ``-`` lines, which
    must appear once and contiguously, become the context and ``+`` lines."""
    old: list[str] = []
    new: list[str] = []
    for line in edit.splitlines():
        if line[:1] in (" ", "-"):
            old.append(line[1:])
        if line[:1] in (" ", "+"):
            new.append(line[1:])
    before = "\n".join(old) + "\n"
    if source.count(before) != 1:
        raise AssertionError(f"the documented edit does not match the file once:\n{before}")
    return source.replace(before, "\n".join(new) + "\n")


def normalize(output: str) -> list[str]:
    """The lines that carry information: trailing blanks and empty lines dropped, and the
    timing lines that differ between any two runs removed."""
    lines = [line.rstrip() for line in output.splitlines()]
    return [line for line in lines if line and not line.startswith("Duration:")]


def check_capture(ref: str, fresh: str) -> None:
    """Fail when the documented capture ``ref`` no longer matches a fresh run's output; with
    ``VDM_UPDATE_CAPTURES=1`` rewrite it instead (then review the diff like any other edit)."""
    block = find("output", ref)
    want, got = normalize(block.body), normalize(fresh)
    if want == got:
        return
    if os.environ.get(UPDATE_ENV) == "1":
        text = block.doc.read_text()
        replacement = "\n".join(line.rstrip() for line in fresh.strip("\n").splitlines())
        block.doc.write_text(text[: block.start] + replacement + text[block.end :])
        return
    import difflib

    diff = "\n".join(difflib.unified_diff(want, got, "documented", "fresh run", lineterm=""))
    raise AssertionError(
        f"{block.doc.relative_to(ROOT)}: <!-- output: {ref} --> no longer matches a real run "
        f"(rerun with {UPDATE_ENV}=1 to refresh it):\n{diff}"
    )
