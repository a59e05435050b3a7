"""Class "Crashes" (docs/SECURITY.md): nothing a pull request holds ends a run with exit 3.

Generated file names that are not UTF-8, repository schemas whose $refs go round, out or nowhere, and numbers
no count reaches (in results files, tickets, calibration reports and event payloads) go through every command
that reads them. The invariants: exit 0, 1 or 2 with a message, never 3; nothing printed that an output could
not encode; a remote $ref is never fetched (a listening server on 127.0.0.1 counts what reaches it).
"""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.harness import spec_repo
from tests.security.strategies import cyclic_schemas, non_utf8_names, oversized_numbers

SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SURROGATES = {chr(c) for c in range(0xD800, 0xE000)}


def printable(text: str) -> bool:
    return not (set(text) & SURROGATES)


READERS = [
    ["validate"],
    ["validate", "--format", "json"],
    ["validate", "--format", "sarif"],
    ["validate", "--format", "github"],
    ["diff", "HEAD~1", "HEAD"],
    ["diff", "HEAD~1", "HEAD", "--format", "json"],
    ["changelog"],
    ["changelog", "--format", "json"],
    ["github", "--base", "HEAD~1", "--dry-run"],
    ["export"],
    ["site", "--out", "../site-out"],
    ["github", "--base", "HEAD~1", "--dry-run", "--redline", "../redline-out"],
]


@SETTINGS
@given(name=non_utf8_names, folder=st.sampled_from(["examples", "spec"]))
def test_a_file_name_that_is_not_utf8_is_a_finding_shown_escaped(name: bytes, folder: str, cli, tmp_path, monkeypatch) -> None:
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
        (root / "spectools.yaml").write_text("documents: [model_spec.md, spec/*.md]\n", encoding="utf-8")
    monkeypatch.chdir(root)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder.encode(), name)
    with open(path, "wb") as fh:
        fh.write(b"# Title {#t authority=root}\n\nRule[^zz01].\n")
    from tests.gitrepo import GitRepo

    GitRepo(root, init=False).commit("bad name")
    for args in READERS:
        result = cli(*args)
        assert result.code in (0, 1, 2), f"{args}: {result.err}"
        assert printable(result.out) and printable(result.err), args
    validated = cli("validate")
    assert "SPEC016" in validated.out and "\\x" in validated.out
    os.unlink(path)
    GitRepo(root, init=False).commit("good again")


class Listener:
    """An HTTP server on 127.0.0.1 that counts the requests that reach it (a fetch of a remote $ref would)."""

    def __init__(self) -> None:
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"type": "string"}')

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@SETTINGS
@given(files=cyclic_schemas(), kind=st.sampled_from(["section", "document", "challenge"]))
def test_a_repository_schema_that_refers_round_out_or_nowhere_is_a_finding(files: dict, kind: str, cli, tmp_path) -> None:
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
        (root / "model_spec.md").write_text("---\nowner: x\n---\n" + (root / "model_spec.md").read_text("utf-8"), "utf-8")
        (root / "examples" / "hn01.md").write_text(
            "---\nowner: x\n---\n" + (root / "examples/hn01.md").read_text("utf-8"), "utf-8"
        )
    listener = Listener()
    try:
        for name, text in files.items():
            (root / name).write_text(text.replace("https://127.0.0.1:9/", listener.url), encoding="utf-8")
        (root / "spectools.yaml").write_text(f"schemas:\n  {kind}: extra.json\n", encoding="utf-8")
        for args in (["validate", str(root)], ["validate", str(root), "--format", "json"]):
            result = cli(*args)
            assert result.code in (0, 1, 2), result.err
            assert "SPEC404" in result.out, result.out
        assert listener.hits == 0
    finally:
        listener.close()
        for name in files:
            (root / name).unlink()


def test_a_remote_ref_to_a_listening_server_is_never_fetched(cli, tmp_path) -> None:
    root = spec_repo(tmp_path / "repo").root
    listener = Listener()
    try:
        (root / "extra.json").write_text(json.dumps({"properties": {"owner": {"$ref": listener.url + "s.json"}}}), "utf-8")
        (root / "spectools.yaml").write_text("schemas:\n  section: extra.json\n", encoding="utf-8")
        result = cli("validate", str(root))
    finally:
        listener.close()
    assert listener.hits == 0
    assert "SPEC404 schemas.section: $ref 'http://127.0.0.1:" in result.out and "is remote or absolute" in result.out


def test_a_schema_split_over_files_inside_the_repository_still_works(cli, tmp_path) -> None:
    root = spec_repo(tmp_path / "repo").root
    (root / "schemas").mkdir()
    (root / "schemas" / "section.json").write_text('{"properties": {"owner": {"$ref": "defs.json#/$defs/owner"}}}', "utf-8")
    (root / "schemas" / "defs.json").write_text('{"$defs": {"owner": {"type": "string", "minLength": 3}}}', "utf-8")
    (root / "spectools.yaml").write_text("schemas:\n  section: schemas/section.json\n", encoding="utf-8")
    (root / "model_spec.md").write_text(
        (root / "model_spec.md").read_text("utf-8").replace("authority=root}", "authority=root owner=ab}"), "utf-8"
    )
    result = cli("validate", str(root))
    assert "SPEC401 section 'honesty' attribute owner: 'ab' is too short" in result.out, result.out
    assert "SPEC404" not in result.out


RESULTS = {"schema_version": 1, "results": [{"clause": "hn01", "model": "m", "grader": "g", "samples": 4, "passed": 3,
                                              "score": 0.75, "spec_commit": "a" * 40}]}  # fmt: skip


@SETTINGS
@given(number=oversized_numbers, where=st.sampled_from(["samples", "passed", "score"]))
def test_a_number_no_count_reaches_in_a_results_file_is_refused(number: str, where: str, cli, tmp_path) -> None:
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    text = json.dumps(RESULTS).replace(f'"{where}": {RESULTS["results"][0][where]}', f'"{where}": {number}')
    (tmp_path / "r.json").write_text(text, encoding="utf-8")
    result = cli("github", "--path", str(root), "--base", "HEAD~1", "--dry-run", "--results", str(tmp_path / "r.json"))
    assert result.code == 2 and "r.json" in result.err, result.err


@SETTINGS
@given(number=oversized_numbers, where=st.sampled_from(["pull_request", "schema_version"]))
def test_a_number_no_count_reaches_in_a_ticket_is_refused(number: str, where: str, tmp_path) -> None:
    from spectools.github.handoff import FILE, load
    from spectools.model import SpecError

    ticket = {"schema_version": 2, "pull_request": 5, "head_sha": "a" * 40}
    text = json.dumps(ticket).replace(f'"{where}": {ticket[where]}', f'"{where}": {number}')
    (tmp_path / FILE).write_text(text, encoding="utf-8")
    try:
        load(tmp_path)
    except SpecError as exc:
        assert FILE in exc.message
    else:
        raise AssertionError(f"a ticket with {where}={number[:30]} was accepted")


@SETTINGS
@given(number=oversized_numbers)
def test_a_number_no_count_reaches_in_an_event_or_a_calibration_report_is_refused(
    number: str, cli, tmp_path, monkeypatch
) -> None:
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    event = tmp_path / "event.json"
    event.write_text(
        '{"pull_request": {"number": NUMBER, "base": {"sha": "a"}, "head": {"sha": "b"}}}'.replace("NUMBER", number), "utf-8"
    )
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    result = cli("github", "--path", str(root), "--dry-run")
    assert result.code == 2 and "event.json" in result.err, result.err
    monkeypatch.delenv("GITHUB_EVENT_NAME")
    report = tmp_path / "calibration.json"
    report.write_text('{"sections": [], "kappa": NUMBER, "tpr": 1, "tnr": 1}'.replace("NUMBER", number), "utf-8")
    result = cli("eval", "run", str(root), "--model", "m", "--calibration", str(report), "--base-url", "http://127.0.0.1:9/v1")
    assert result.code == 2 and "calibration.json" in result.err, result.err


@SETTINGS
@given(version=st.sampled_from(["1.0", "2.0", "3.0", "true", "false", "null", '"2"', "[2]", "1e0"]))
def test_a_results_file_whose_version_is_no_integer_is_a_message(version: str, cli, tmp_path) -> None:
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    (tmp_path / "r.json").write_text('{"schema_version": %s, "results": []}'.replace("%s", version), encoding="utf-8")
    result = cli("github", "--path", str(root), "--base", "HEAD~1", "--dry-run", "--results", str(tmp_path / "r.json"))
    assert result.code in (0, 1, 2), result.err


@SETTINGS
@given(body=st.sampled_from(['{"choices": [1]}', '{"choices": {"a": 1}}', '{"choices": [{"message": "hi"}]}',
                             '{"choices": [{"message": {"content": 5}}]}', '{"choices": []}', '{"choices": null}',
                             '[]', '"text"', '{"choices": [{"message": {"content": "ok"}}], "usage": 7}']))  # fmt: skip
def test_a_reply_that_is_no_chat_completion_is_an_error_for_its_sample(body: str, cli, tmp_path, monkeypatch) -> None:
    from tests.chat_server import ChatServer, Reply

    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    out = tmp_path / "results.json"
    with ChatServer(lambda b, n: Reply(body=body)) as server:
        result = cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", server.url,
                     "--no-cache", "--out", str(out))  # fmt: skip
    # each sample an error (exit 2: the run measured nothing, and says so) or a grade (exit 0); written either way
    assert result.code == 0 or (result.code == 2 and "every sample failed" in result.err), result.err
    assert json.loads(out.read_text(encoding="utf-8"))["results"]


def privileged_run(cli, monkeypatch, tmp_path, server, root, number: int, head: str):  # type: ignore[no-untyped-def]
    """`spectools github --report` in a workflow_run of the event for head, with a ticket naming pull request number."""
    from tests.github.test_pullrequest import Runner, event

    (tmp_path / "artifact").mkdir(exist_ok=True)
    ticket = {"schema_version": 2, "pull_request": number, "head_sha": head}
    (tmp_path / "artifact" / "spectools-report.json").write_text(json.dumps(ticket), encoding="utf-8")
    Runner(
        monkeypatch, tmp_path / "run", server, "workflow_run", event("workflow_run.completed.json", workflow_run__head_sha=head)
    )
    return cli("github", "--path", str(root), "--report", str(tmp_path / "artifact"))


def test_a_ticket_naming_a_pull_request_github_does_not_have_is_a_message(cli, tmp_path, monkeypatch) -> None:
    """GitHub sends no pull requests in a fork's workflow_run: the API's 404 for the ticket's number is refused."""
    from tests.github.test_pullrequest import make_repo
    from tests.github_server import GitHubServer

    repo, _, head = make_repo(tmp_path / "spec")
    with GitHubServer() as server:
        result = privileged_run(cli, monkeypatch, tmp_path, server, repo.root, 77, head)
        assert server.on_issue(77) == []
    assert result.code == 2 and "pull request #77, which GitHub does not give" in result.err


@SETTINGS
@given(
    digits=st.integers(min_value=41, max_value=5000),
    where=st.sampled_from(["challenge", "document", "config"]),
    form=st.sampled_from(["0x{f}", "0o{7}", "0b{1}", "{9}", "-{9}", "0x{f}_1"]),
)
def test_a_yaml_integer_no_text_can_show_is_a_finding(digits: int, where: str, form: str, cli, tmp_path) -> None:
    """`0x` and 4,000 digits is an int Python cannot turn into text (4,300 digits): refused where it is read."""
    number = (
        form.replace("{f}", "f" * digits).replace("{7}", "7" * digits).replace("{1}", "1" * digits).replace("{9}", "9" * digits)
    )
    root = tmp_path / "repo"
    if not root.exists():
        spec_repo(root)
    from tests.gitrepo import GitRepo

    repo = GitRepo(root, init=False)
    files = {
        "model_spec.md": (root / "model_spec.md").read_text("utf-8"),
        "examples/hn01.md": (root / "examples/hn01.md").read_text("utf-8"),
    }
    if where == "config":
        (root / "spectools.yaml").write_text(f"limits:\n  max_file_bytes: {number}\n", "utf-8")
    else:
        target = "examples/hn01.md" if where == "challenge" else "model_spec.md"
        (root / target).write_text(
            f"---\nversion: {number}\n---\n{files[target].split(chr(10) + '---' + chr(10), 1)[-1]}", "utf-8"
        )
    repo.commit("big number")
    for args in (["validate"], ["diff", "HEAD~1", "HEAD"], ["export"], ["github", "--base", "HEAD~1", "--dry-run"]):
        result = cli(*args, cwd=root)
        assert result.code in (0, 1, 2), f"{args}: {result.err}"
    (root / "spectools.yaml").unlink(missing_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, "utf-8")
    repo.commit("back")


@pytest.mark.parametrize(
    "body",
    [
        "[" * 200000 + "]" * 200000,
        '{"choices": ' + "[" * 200000 + "]" * 200000 + "}",
        '{"choices": [{"message": {"content": "hi \\ud800 there"}}]}',
        '{"choices": [{"message": {"content": "{\\"reasoning\\": \\"\\udc80\\", \\"score\\": 7}"}}]}',
    ],
    ids=["deep", "deep-choices", "lone-surrogate", "lone-surrogate-grade"],
)
def test_a_reply_too_deep_or_with_a_lone_surrogate_is_no_crash(body: str, cli, tmp_path, monkeypatch) -> None:
    from tests.chat_server import ChatServer, Reply

    root = spec_repo(tmp_path / "repo").root
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    out = tmp_path / "results.json"
    with ChatServer(lambda b, n: Reply(body=body)) as server:
        for extra in ([], ["--no-cache"]):
            result = cli("eval", "run", str(root), "--model", "m", "--grader-model", "g", "--base-url", server.url,
                         "--out", str(out), *extra)  # fmt: skip
            assert result.code in (0, 2) and "internal error" not in result.err, result.err
    json.loads(out.read_text(encoding="utf-8"))


def test_a_new_document_whose_name_holds_spaces_is_read(cli, tmp_path) -> None:
    """Not from a pull request (there the file is committed), but the everyday local case: a new document whose
    name holds spaces, which HEAD does not have yet, is read and checked."""
    root = spec_repo(tmp_path / "repo").root
    (root / "spectools.yaml").write_text('documents: [model_spec.md, "spec/*.md"]\n', encoding="utf-8")
    (root / "spec").mkdir()
    (root / "spec" / "new doc a.md").write_text("# New {#new authority=root}\n\nRule[^ex01].\n", encoding="utf-8")
    result = cli("validate", str(root))
    assert result.code == 1 and "SPEC102 clause 'ex01'" in result.out, result.err


ODD = [None, 12345, "", "not-a-sha", [], {}, True]


@SETTINGS
@given(
    where=st.sampled_from(["pull.head.sha", "pull.base.sha", "pull.head", "comment.body", "comment.id", "comment.user"]),
    value=st.sampled_from(ODD),
)
def test_an_odd_reply_from_the_github_api_is_a_message_or_a_warning(
    where: str, value: object, cli, tmp_path, monkeypatch
) -> None:
    """GitHub's API is GitHub's, but a proxy, an Enterprise server or an outage can answer anything: a pull request
    without commits is refused, a comment list that is not one is a warning; never exit 3."""
    from tests.github.test_pullrequest import Runner, event, make_repo
    from tests.github_server import GitHubServer
    from tests.gitrepo import GitRepo

    root = tmp_path / "spec"
    if not root.exists():
        make_repo(root)
    head, base = (GitRepo(root, init=False).git("rev-parse", ref).strip() for ref in ("feature", "main"))
    kind, field = where.split(".", 1)
    with GitHubServer() as server:
        server.pulls[5] = {"head": head, "base": base}
        serve = server.httpd.RequestHandlerClass._serve

        def odd(self, method, path, query, body):  # type: ignore[no-untyped-def]
            status, data, headers = serve(self, method, path, query, body)
            items = data if isinstance(data, list) else [data]
            for item in items:
                if isinstance(item, dict) and (
                    (kind == "pull" and "/pulls/" in path) or (kind == "comment" and "/comments" in path)
                ):
                    target, key = (
                        (item, field) if "." not in field else (item.get(field.split(".")[0]) or {}, field.split(".")[1])
                    )
                    if isinstance(target, dict):
                        target[key] = value
            return status, data, headers

        monkeypatch.setattr(server.httpd.RequestHandlerClass, "_serve", odd)
        if kind == "comment":
            server.add_comment(5, "<!-- spectools:summary -->\nold")
        if kind == "pull":
            result = privileged_run(cli, monkeypatch, tmp_path, server, root, 5, head)
        else:
            pr = event(
                "pull_request.opened.json", pull_request__number=5, pull_request__base__sha=base, pull_request__head__sha=head
            )
            Runner(monkeypatch, tmp_path / "run", server, "pull_request", pr)
            result = cli("github", "--path", str(root))
    assert result.code in (0, 1, 2), result.err
