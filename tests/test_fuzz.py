"""Issue 10: the fuzz test kept in the suite. Random specs built from hostile pieces (markup, mentions,
escape sequences, workflow commands, backtracking bait, odd labels and tags) go through everything a pull
request's text reaches: parsing, every check, the diff of two versions, the pull-request comment, the
changelog and every findings format. Nothing may raise, and nothing rendered may carry live markup."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spectools.diff.engine import diff
from spectools.github.summary import Inputs, render
from spectools.model import Spec
from spectools.parse.files import parse_challenge, parse_document
from spectools.render.changes import markdown, text
from spectools.render.diagnostics import as_json, github, sarif
from spectools.render.diagnostics import text as findings_text
from spectools.sources.config import Config

HOSTILE = [
    "# Rules {#rules authority=root}\n\n",
    "## @org/team <img src=x> [x](https://evil.example) {#t1 authority=user}\n\n",
    "## `tick </details> ![i](https://evil.example/i.png) {#t2 authority=system}\n\n",
    "## \x1b[31mred\x1b[0m ::warning::x {#t3}\n\n",
    "The assistant must comply[^ab12]. ",
    "It should never do that[^cd34]. ",
    "Maybe[^" + "a" * 60 + "b]. ",
    "[see](#t1) [?](#nowhere) ",
    "**Example**: @org/team <b>x</b>\n\n~~~xml\n<user>\nhi `x` @org\n</user>\n<comparison>\n",
    "<assistant> <!-- GOOD, given `x`: fine -->\nyes\n</assistant>\n",
    "<assistant> <!-- BAD[#t1]: <img src=x> -->\nno\n</assistant>\n",
    "<assistant> <!-- MAYBE @org/team -->\nhm\n</assistant>\n",
    "<odd attr=1>\n[...]\n",
    "</comparison>\n~~~\n\n",
    "<a" + " " * 50,
    "\n",
    " ",
    "*",
    "_",
    "|",
    "https://evil.example ",
    "www.evil.example ",
]
spec_text = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=8), min_size=1, max_size=30).map("".join)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _spec(source: str) -> Spec:
    return Spec(
        (parse_document("model_spec.md", source),),
        (parse_challenge("examples/ab12.md", "ab12", "Examples for [^ab12] in x:\n\n" + source),),
    )


def _no_live_markup(body: str) -> None:
    ours = {"details", "summary", "del", "ins"}
    tags = {t.lower() for t in re.findall(r"</?([A-Za-z][\w-]*)", body)}
    assert tags <= ours, tags
    assert "@org" not in body and "https://evil" not in body and "\x1b" not in body
    assert body.count("<details>") == body.count("</details>")


@FUZZ
@given(spec_text, spec_text)
def test_hostile_specs_flow_through_every_renderer(old: str, new: str) -> None:
    from spectools.checks.run import run
    from spectools.parse.load import Loaded
    from spectools.sources.worktree import WorktreeSource

    a, b = _spec(old), _spec(new)
    cs = diff(a, b, Config(), Config(), "base", "head")
    loaded = Loaded(b, Config(), [], True, WorktreeSource(__import__("pathlib").Path(".")))
    findings = run(loaded)
    comment = render(Inputs(head=findings, base=[], changes=cs, spec=b))
    _no_live_markup(comment)
    _no_live_markup(markdown(cs, "## v2"))
    shown = findings_text(findings, str) + text(cs)
    assert "\x1b" not in shown and not re.search(r"^::", shown, re.M)
    for out in (github(findings, str), sarif(findings, str), as_json(findings, str, 1)):
        assert "\x1b" not in out
    assert diff(a, a, Config(), Config()).changes == ()
