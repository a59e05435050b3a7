"""The escapers: every piece of text that a repository or a pull request wrote (titles, clause
sentences, ids, file names, word diffs, anything from a results file) goes through one of these
before it is shown, so that it is inert where it lands:

- `md`: markdown and HTML on GitHub (comments, job summaries, changelogs): no tags, no links or
  images, no mentions, no autolinks, no code spans or emphasis it did not mean, one line;
- `md_url`: a path or anchor inside a link's parentheses;
- `word_diff_md`: a word diff's runs as escaped text in <del> and <ins>;
- `term`: a terminal or a log: no escape sequences, no control characters, no line breaks;
- `workflow_data`, `workflow_property`: GitHub's workflow-command escaping;
- `inert`: any text spectools prints, made inert to the GitHub Actions runner (cli/output.py's guard runs
  every line of stdout and stderr through it; see docs/SECURITY.md, "Workflow commands").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import quote

WORD_JOINER = "\u2060"  # invisible; breaks `@team` and `https://` so GitHub does not link or notify
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # \udc80-\udcff: a byte that was not UTF-8 (surrogateescape)


def _unpaired(m: re.Match[str]) -> str:
    """An unpaired surrogate, which no output can encode, as text: a byte that was not UTF-8 as \\xNN."""
    code = ord(m.group(0))
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """text with every unpaired surrogate (a file name's byte that is not UTF-8) written as \\xNN."""
    return _SURROGATE.sub(_unpaired, text) if _SURROGATE.search(text) else text


# code spans, emphasis, tables, strikethrough, math; `_` inside a word (model_spec.md) emphasises nothing
_MD_PUNCT = re.compile(r"([\\`*|~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# `](` and `][` make links and images, `]:` a link reference definition (which turns every `[x]` and `![x]` of the
# comment into a link or an image): `[` and `(` alone make none
_LINK = re.compile(r"\](?=[(\[:])")
# mentions, autolinked URLs, and issue references (`#12`, `owner/repo#12`, `GH-12`) that would link or notify
_NEEDS_JOIN = re.compile(r"@|(?<=:)//|(?<=www)\.|(?<=#)(?=\d)|(?<=\bGH-)(?=\d)", re.I)


# What the runner obeys in a line of a step's output (its ActionCommandManager): `##[` anywhere in the line
# (the old syntax), and `::` at the start once whitespace is trimmed. A line ends at \r or \n (its
# StreamReader); whitespace is what .NET's Trim() removes, which Python's \s covers.
_RUNNER = re.compile(r"##(?=\[)|(?:^|(?<=[\r\n]))[^\S\r\n]*:(?=:)")
_JSON_HASHES = re.compile(r"##(?=\[)")


def inert(text: str, json: bool = False) -> str:
    """text that the runner reads as no command: a WORD JOINER (invisible) after the `##` of `##[` and after the
    first `:` of a line's leading `::`. With json=True (text that is JSON, where `##[` can only stand inside a
    string and a line never starts with `::`), `##[` becomes `#\\u0023[`, the same string to a JSON reader."""
    if json:  # an unpaired surrogate (a name's byte that is not UTF-8) becomes the text \xNN, escaped for JSON
        text = _SURROGATE.sub(lambda m: "\\" + _unpaired(m), text) if _SURROGATE.search(text) else text
        return _JSON_HASHES.sub("#\\\\u0023", text) if "##[" in text else text
    if "##[" not in text and "::" not in text:
        return text
    return _RUNNER.sub(lambda m: m.group(0) + WORD_JOINER, text)


def term(text: str) -> str:
    """Text for a terminal: control characters (escape sequences, CR, LF, ...) shown as \\xNN."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(
        lambda m: _unpaired(m) if _SURROGATE.match(m.group(0)) else m.group(0).encode("unicode_escape").decode("ascii"), text
    )


_MD_WORK = re.compile(
    r"[\\`*_|~$&<>@\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]|\]\(|\]\[|\]:|#\d|GH-\d|://|www\.|  |^\s|\s$", re.I
)


def md(text: str) -> str:
    """Text that markdown renders as the same text, on one line, and nothing else."""
    if not _MD_WORK.search(text):
        return text  # the common case: plain words, nothing to escape
    text = " ".join(_CONTROL.sub(" ", printable(text)).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _LINK.sub("]\\\\", _MD_PUNCT.sub(r"\\\1", text))
    return _NEEDS_JOIN.sub(lambda m: m.group(0) + WORD_JOINER if m.group(0) in ("@", "") else WORD_JOINER + m.group(0), text)


@lru_cache(maxsize=4096)
def md_url(path: str) -> str:
    """A repository path or anchor for a link's target: percent-encoded, so it cannot end the link."""
    return quote(path, safe="/#?=.-_~")


def word_diff_md(ops: Sequence[Sequence[str]], limit: int | None = None, whole: str = "the job summary") -> str:
    """A word diff's runs (diff/wording.word_diff) as escaped text with <del> and <ins>: no code span to break,
    and no marker read back out of the words. With a limit, a longer diff keeps its first changes and says
    where the rest is (`whole`)."""
    out: list[str] = []
    shortened = False
    for op, words in ops:
        if op == "skip":
            out.append("…")
            continue
        few = _few(words, limit)
        shortened = shortened or few != words
        piece = md(few) if op == "keep" else f"<{_TAGS[op]}>{md(few)}</{_TAGS[op]}>"
        if limit is not None and sum(len(p) + 1 for p in out) + len(piece) > limit - 80:
            return " ".join(out) + f" … (cut: the whole diff is in {whole})"
        out.append(piece)
    text = " ".join(p for p in out if p)
    return text + (f" (cut: the whole diff is in {whole})" if shortened else "")


_TAGS = {"delete": "del", "insert": "ins"}


def _few(text: str, limit: int | None) -> str:
    """With a limit, a long run of words keeps its first twelve and last six."""
    if limit is None:
        return text
    ws = text.split()
    return text if len(ws) <= 20 else " ".join([*ws[:12], "…", *ws[-6:]])


def workflow_data(value: str) -> str:
    """GitHub workflow command message escaping; other control characters (escape sequences) shown as \\xNN."""
    return inert(term(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")))


def workflow_property(value: str) -> str:
    """GitHub workflow command property escaping (file=, title=...)."""
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")
