"""Hypothesis strategies for hostile values, one per class of harm (docs/SECURITY.md).

Every strategy builds values the way an attacker would vary them: the known-bad core of the class, with
random prefixes, suffixes, spellings and companions, so a fix that only closes one spelling fails.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

# ---- options to git: values that git would read as an option, each leaving a trace if obeyed
GIT_OPTIONS = [
    "--upload-pack=touch {marker};x",
    "--upload-pack=touch {marker}",
    "--output={marker}",
    "--exec=touch {marker}",
    "-c core.sshCommand=touch {marker}",
    "-ccore.pager=touch {marker}",
    "--config=core.fsmonitor=touch {marker}",
    "-o{marker}",
    "--receive-pack=touch {marker}",
    "--template={marker}",
]


@st.composite
def option_refs(draw: st.DrawFn, marker: str) -> str:
    """A ref-shaped value that starts with a dash: an option of git's that would touch marker."""
    core = draw(st.sampled_from(GIT_OPTIONS)).format(marker=marker)
    tail = draw(st.sampled_from(["", "#" * 8, "^{commit}", "~1", "..HEAD", "...HEAD", "#"]))
    value = core + tail
    if draw(st.booleans()):  # the 40-character form, as a sha would be (the action's inputs)
        value = (value + "#" * 40)[:40] if len(value) < 40 else value
    return value


# ---- workflow commands: text the GitHub runner would obey
RUNNER_COMMANDS = [
    "::add-mask::secret",
    "::set-output name=errors::0",
    "::warning file=x::pwned",
    "::error::pwned",
    "::stop-commands::abc",
    "::add-path::/tmp/evil",
    "::set-env name=X::1",
    "##[add-mask]secret",
    "##[set-output name=errors;]0",
    "##[warning]pwned",
]
_LEAD = st.sampled_from(["", " ", "  ", "\t", "\u3000", "\u00a0", "\u2003", "\v", "\f"])


@st.composite
def workflow_text(draw: st.DrawFn) -> str:
    """A piece of text with a runner command in it: at the start after whitespace, or mid-line for `##[`."""
    command = draw(st.sampled_from(RUNNER_COMMANDS))
    before = draw(st.sampled_from(["", "Rule ", "a ", "x: "])) if command.startswith("##[") else ""
    return before + draw(_LEAD) + command + draw(st.sampled_from(["", " tail", "\u2060"]))


def runner_reads(line: str) -> str | None:
    """What the GitHub runner would obey in one line of output (its own rules): `##[` anywhere, or `::` once the
    line is trimmed of .NET whitespace; the command's name, or None."""
    if "##[" in line:
        return "##[" + line.split("##[", 1)[1][:20]
    trimmed = line.strip(
        " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
    )
    if trimmed.startswith("::"):
        return trimmed[2:].split(" ", 1)[0].split("::", 1)[0]
    return None


SPECTOOLS_ANNOTATION = re.compile(r"::(error|warning|notice) file=[^,:\r\n]*(,line=\d+)?(,col=\d+)?,title=[^,:\r\n]*::[^\r\n]*")
SPECTOOLS_PLAIN = re.compile(r"::(warning|notice) title=spectools::[^\r\n]*")


def obeyed(output: str) -> list[str]:
    """Every line of output the runner would obey, other than spectools' own annotations (which name a file of the
    repository and carry escaped text); stop-commands lines are spectools' own only with a 32-hex token."""
    bad = []
    for line in re.split(r"[\r\n]", output):
        name = runner_reads(line)
        if name is None:
            continue
        if SPECTOOLS_ANNOTATION.fullmatch(line) or SPECTOOLS_PLAIN.fullmatch(line):
            continue
        if re.fullmatch(r"::stop-commands::[0-9a-f]{32}|::[0-9a-f]{32}::", line):
            continue
        bad.append(line)
    return bad


# ---- line separators that are text, not line ends, in spectools' one line model
SEPARATORS = ["\u2028", "\u2029", "\x0c", "\x0b", "\x85", "\r", "\x1c", "\x1d", "\x1e"]


@st.composite
def hand_written(draw: st.DrawFn) -> str:
    """A hand-written paragraph holding separators that some line models split on."""
    words = draw(
        st.lists(st.sampled_from(["Fixed", "the", "intro", "##", "v1", "<!--", "-->", "spectools:end"]), min_size=1, max_size=6)
    )
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=4))
    out = []
    for i, word in enumerate(words):
        out.append(word)
        out.append(seps[i % len(seps)] if i % 2 == 0 else " ")
    return "".join(out).strip(" ")


# ---- bytes that are not UTF-8, for file names
non_utf8_names = st.builds(
    lambda stem, bad, ext: stem.encode() + bad + ext,
    st.sampled_from(["ab", "caf", "x-", "rule"]),
    st.sampled_from([b"\xe9", b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80\x80", b"\xfe\xfe"]),
    st.sampled_from([b".md", b"01.md", b".md"]),
)

# ---- numbers no count reaches
oversized_numbers = st.one_of(
    st.integers(min_value=19, max_value=6000).map(lambda n: "9" * n),
    st.sampled_from(["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1" + "0" * 5000]),
)


# ---- repository schemas whose $refs go round, or out
@st.composite
def cyclic_schemas(draw: st.DrawFn) -> dict[str, str]:
    """Schema files whose $refs apply a schema to the same instance forever, or name what is not there."""
    kind = draw(st.sampled_from(["self", "allOf", "anyOf", "not", "pair", "defs", "remote", "missing", "escape", "absolute",
                                 "dialect"]))  # fmt: skip
    if kind == "dialect":  # not a $ref, but the same class: a shape that broke jsonschema's own lookup
        return {"extra.json": draw(st.sampled_from(['{"$schema": 5}', '{"$schema": ["x"]}', '{"$schema": null}',
                                                     '{"$schema": {"$ref": "#"}}']))}  # fmt: skip
    if kind == "self":
        return {"extra.json": '{"$ref": "#"}'}
    if kind in ("allOf", "anyOf"):
        return {"extra.json": f'{{"{kind}": [{{"type": "object"}}, {{"$ref": "#"}}]}}'}
    if kind == "not":
        return {"extra.json": '{"not": {"not": {"$ref": "#"}}}'}
    if kind == "pair":
        return {"extra.json": '{"$ref": "other.json"}', "other.json": '{"allOf": [{"$ref": "extra.json"}]}'}
    if kind == "defs":
        return {"extra.json": '{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}'}
    if kind == "remote":
        scheme = draw(st.sampled_from(["https://127.0.0.1:9/", "http://localhost:9/", "file:///etc/", "ftp://x/"]))
        return {"extra.json": f'{{"properties": {{"owner": {{"$ref": "{scheme}s.json"}}}}}}'}
    if kind == "missing":
        where = draw(st.sampled_from(["nothere.json", "#/$defs/nothere", "#nothere", "extra.json#/properties/x"]))
        return {"extra.json": f'{{"$ref": "{where}"}}'}
    if kind == "escape":
        return {"extra.json": '{"$ref": "../../outside.json"}'}
    return {"extra.json": '{"$ref": "/etc/passwd"}'}
