"""`spectools init`: templates, options, refusals, copier equivalence, and the files it writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.gitrepo import ISOLATED

TEMPLATES = ["model-spec", "minimal"]


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts
    }


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("levels", [None, "platform,operator,user"])
def test_a_new_repository_validates_with_zero_findings(cli, tmp_path: Path, template: str, levels: str | None) -> None:
    args = ["init", str(tmp_path / "spec"), "--template", template, "--name", "Acme Spec"]
    if levels:
        args += ["--authority-levels", levels]
    result = cli(*args)
    assert result.code == 0, result.err
    checked = cli("validate", str(tmp_path / "spec"))
    assert (checked.code, checked.out) == (0, "")
    spec = (tmp_path / "spec" / "model_spec.md").read_text(encoding="utf-8")
    assert "Acme Spec" in spec
    for level in (levels or "root,system,developer,user,guideline").split(","):
        if template == "model-spec" or level == (levels or "root").split(",")[0]:
            assert f"authority={level}" in spec  # the starter covers each level (up to its five sections)


def test_the_model_spec_template_has_everything_a_team_needs(cli, tmp_path: Path) -> None:
    cli("init", str(tmp_path / "spec"))
    files = set(tree(tmp_path / "spec"))
    assert {
        "model_spec.md",
        "spectools.yaml",
        "CHANGELOG.md",
        "README.md",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".github/workflows/spec.yml",
        ".copier-answers.yml",
    } <= files
    assert len([f for f in files if f.startswith("examples/")]) == 7
    readme = (tmp_path / "spec" / "README.md").read_text(encoding="utf-8")
    for topic in ("### Add a clause", "### Add a challenge", "### Make a release", "spectools new-id", "spectools new challenge"):
        assert topic in readme
    workflow = (tmp_path / "spec" / ".github" / "workflows" / "spec.yml").read_text(encoding="utf-8")
    _pinned_and_least_privilege(workflow)


def _pinned_and_least_privilege(workflow: str) -> None:
    """Issue 10 (7): every action pinned by a commit of its own repository; only the commenting job may write."""
    import re

    import yaml

    uses = re.findall(r"uses: ([^@\s]+)@(\S+)", workflow)
    assert uses and all(re.fullmatch(r"[0-9a-f]{40}", ref) for _, ref in uses), uses
    ours = {ref for name, ref in uses if name == "spectools/spectools"}
    data = yaml.safe_load(workflow)
    for ref in ours:  # a commit of this repository whose action has every input the workflow gives it
        shown = subprocess.run(["git", "show", f"{ref}:action.yml"], cwd=ROOT, check=True, capture_output=True, text=True)
        inputs = set(yaml.safe_load(shown.stdout)["inputs"])
        for job in data["jobs"].values():
            for step in job["steps"]:
                if step.get("uses", "").startswith(f"spectools/spectools@{ref}"):
                    assert set(step.get("with", {})) <= inputs, (ref, step)
    assert data["permissions"] == {"contents": "read"}
    jobs = data["jobs"]
    writers = {name for name, job in jobs.items() if "write" in (job.get("permissions") or {}).values()}
    assert jobs["review"]["if"] == "github.event_name == 'pull_request'"
    if "deploy" not in jobs:
        assert writers == {"review"}
        return
    # issue 21: a release tag builds the site with no write permission; only the job that publishes it may write Pages
    assert writers == {"review", "deploy"} and jobs["deploy"]["needs"] == "site"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["site"]["if"] == "github.event_name == 'push' && github.ref_type == 'tag'" and "permissions" not in jobs["site"]
    assert {"actions/upload-pages-artifact", "actions/deploy-pages"} <= {name for name, _ in uses}
    build = next(step for step in jobs["site"]["steps"] if step.get("id") == "build")
    assert build["uses"].startswith("spectools/spectools@") and build["with"] == {"site": "_site"}
    assert data[True]["push"]["tags"] == ["v*"]  # YAML reads the key `on` as true


def test_the_readme_workflows_pin_the_action_and_grant_writes_per_job() -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    assert any("pull_request:" in b and "push:" in b for b in blocks)
    _pinned_and_least_privilege(next(b for b in blocks if "pull_request:" in b and "push:" in b))
    assert "spectools/spectools@v" not in readme


@pytest.mark.parametrize("template", TEMPLATES)
def test_copier_renders_the_same_tree(cli, tmp_path: Path, template: str) -> None:
    copier = pytest.importorskip("copier")  # a test dependency only; spectools itself does not need it
    source = tmp_path / "template"
    shutil.copytree(ROOT / "templates" / template, source)  # outside git, so copier reads the folder as it is
    data = {"name": "Acme Spec", "authority_levels": "platform,operator,user"}
    copier.run_copy(str(source), str(tmp_path / "by-copier"), data=data, defaults=True, quiet=True, unsafe=False)
    result = cli(
        "init",
        str(tmp_path / "by-init"),
        "--template",
        str(source),
        "--name",
        data["name"],
        "--authority-levels",
        data["authority_levels"],
    )
    assert result.code == 0, result.err
    assert tree(tmp_path / "by-init") == tree(tmp_path / "by-copier")


def test_spectools_does_not_depend_on_copier() -> None:
    from importlib.metadata import requires

    needs = requires("spectools") or []
    assert not any(r.startswith("copier") and "extra ==" not in r for r in needs)
    assert any(r.startswith("copier") and "extra ==" in r and "test" in r for r in needs)


def test_the_workflows_match_githubs_workflow_schema(cli, tmp_path: Path) -> None:
    cli("init", str(tmp_path / "spec"))
    workflows = sorted((tmp_path / "spec" / ".github" / "workflows").glob("*.yml"))
    assert workflows
    proc = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, workflows)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_list_templates_and_dry_run(cli, tmp_path: Path) -> None:
    listed = cli("init", "--list-templates").out.splitlines()
    assert [line.split()[0] for line in listed] == ["minimal", "model-spec"]
    result = cli("init", str(tmp_path / "spec"), "--template", "minimal", "--dry-run")
    assert result.out == (
        f"write     {tmp_path}/spec/.copier-answers.yml\n"
        f"write     {tmp_path}/spec/examples/hn01.md\n"
        f"write     {tmp_path}/spec/model_spec.md\n"
        f"write     {tmp_path}/spec/spectools.yaml\n"
    )
    assert not (tmp_path / "spec").exists()


def test_it_never_overwrites_and_force_overwrites_only_the_templates_files(cli, tmp_path: Path) -> None:
    root = tmp_path / "spec"
    root.mkdir()
    (root / "model_spec.md").write_text("my own spec\n")
    (root / "notes.txt").write_text("keep me\n")
    result = cli("init", str(root), "--template", "minimal")
    assert result.code == 1
    assert result.err == (
        f"spectools: {root}/model_spec.md exists\nspectools: nothing was written; 1 file of the template "
        "already exist (use another folder, or --force to overwrite them)\n"
    )
    assert sorted(p.name for p in root.iterdir()) == ["model_spec.md", "notes.txt"]
    assert (root / "model_spec.md").read_text() == "my own spec\n"
    result = cli("init", str(root), "--template", "minimal", "--force")
    assert result.code == 0
    assert (root / "model_spec.md").read_text().startswith("# My Assistant Spec {#overview")
    assert (root / "notes.txt").read_text() == "keep me\n"


def test_refusals(cli, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    assert (
        cli("init", str(tmp_path / "afile")).err
        == f"spectools: error: {tmp_path}/afile: is a file; give a folder for the new repository\n"
    )
    assert cli("init", str(tmp_path / "x"), "--template", "nope").code == 2
    bad = cli("init", str(tmp_path / "x"), "--authority-levels", "root,,root")
    assert bad.code == 2 and "give distinct names" in bad.err
    escape = tmp_path / "escape"
    escape.mkdir()
    (escape / "copier.yml").write_text("name: x\n")
    (escape / "{{ '..' }}").mkdir()
    (escape / "{{ '..' }}" / "evil.md").write_text("x")
    result = cli("init", str(tmp_path / "y"), "--template", str(escape))
    assert result.code == 2 and "outside the new repository" in result.err
    assert not (tmp_path / "evil.md").exists() and not (tmp_path / "y").exists()
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "copier.yml").write_text("name: x\n")
    os.symlink("/etc/passwd", linked / "passwd.md")
    result = cli("init", str(tmp_path / "z"), "--template", str(linked))
    assert result.code == 2 and "templates may not hold symlinks" in result.err
    absolute = tmp_path / "absolute"
    absolute.mkdir()
    (absolute / "copier.yml").write_text("name: x\n")
    (absolute / "{{ '\\x2ftmp' }}x.md.jinja").write_text("x")  # renders to /tmpx.md
    assert "outside the new repository" in cli("init", str(tmp_path / "w"), "--template", str(absolute)).err


def test_git_makes_the_first_commit_and_tag(cli, tmp_path: Path) -> None:
    root = tmp_path / "spec"
    result = cli("init", str(root), "--git")
    assert result.err.endswith("spectools: committed them and tagged v0.1.0\n")
    env = {**os.environ, **ISOLATED}
    log = subprocess.run(["git", "log", "--format=%s %D"], cwd=root, capture_output=True, text=True, env=env, check=True).stdout
    assert log == "Start the spec from the spectools 'model-spec' template HEAD -> main, tag: v0.1.0\n"
    notes = cli("changelog", "--path", str(root))
    assert notes.code == 0 and notes.out.startswith("## v0.1.0 - ")


def test_it_asks_in_a_terminal(tmp_path: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "spectools", "init", str(tmp_path / "spec"), "--template", "minimal"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    seen = b""

    def until(text: bytes) -> None:
        nonlocal seen
        while text not in seen:
            seen += os.read(leader, 1024)

    until(b"The name of the spec (its title) [My Assistant Spec]: ")
    os.write(leader, b"Asked Spec\n")
    until(b"[root,system,developer,user,guideline]: ")
    os.write(leader, b"\n")  # the default
    assert proc.wait(timeout=60) == 0
    os.close(leader)
    assert (tmp_path / "spec" / "model_spec.md").read_text().startswith("# Asked Spec {#overview authority=root}")


def test_git_without_an_identity_still_commits_and_says_so(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    result = cli("init", str(tmp_path / "spec"), "--template", "minimal", "--git")
    assert result.code == 0, result.err
    assert "git has no user.email here, so the commit's author is 'spectools init'" in result.err


def test_git_inside_another_repository_makes_a_repository_of_its_own(cli, tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    env = {**os.environ, **ISOLATED}
    subprocess.run(["git", "init", "-q"], cwd=outer, check=True, env=env)
    (outer / ".gitignore").write_text("demo/\n")
    result = cli("init", str(outer / "demo"), "--git")
    assert result.code == 0, result.err
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=outer / "demo", capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    assert Path(top) == (outer / "demo").resolve()
    outer_log = subprocess.run(["git", "log"], cwd=outer, capture_output=True, text=True, env=env, check=False)
    assert outer_log.returncode != 0  # the outer repository got no commit


def test_a_file_where_the_template_needs_a_folder_is_a_conflict(cli, tmp_path: Path) -> None:
    root = tmp_path / "spec"
    root.mkdir()
    (root / "examples").write_text("not a folder\n")
    result = cli("init", str(root), "--template", "minimal")
    assert result.code == 1 and f"{root}/examples/hn01.md exists" in result.err
    assert (root / "examples").read_text() == "not a folder\n"
    assert sorted(p.name for p in root.iterdir()) == ["examples"]


def test_names_with_yaml_characters_still_validate_and_bad_names_are_refused(cli, tmp_path: Path) -> None:
    name = 'Acme: "Spec" #1 & co'
    assert cli("init", str(tmp_path / "spec"), "--name", name).code == 0
    checked = cli("validate", str(tmp_path / "spec"))
    assert (checked.code, checked.out) == (0, "")
    from spectools.parse.files import parse_document

    doc = parse_document("model_spec.md", (tmp_path / "spec" / "model_spec.md").read_text(encoding="utf-8"))
    assert doc.front_matter is not None and doc.front_matter["title"] == name  # quoted, so YAML reads it back whole
    refused = cli("init", str(tmp_path / "other"), "--name", "Spec {#x}")
    assert refused.code == 2 and "without { or }" in refused.err
    assert not (tmp_path / "other").exists()


def test_a_template_that_cannot_be_rendered_names_the_file_and_line(cli, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "copier.yml").write_text("name: x\n")
    (broken / "a.md.jinja").write_text("fine\n{{ name \n")
    result = cli("init", str(tmp_path / "out"), "--template", str(broken))
    assert result.code == 2 and result.err.startswith(f"spectools: error: {broken}/a.md.jinja:2: the template cannot be rendered")
    (broken / "a.md.jinja").write_bytes(b"\xff\xfe not text")
    result = cli("init", str(tmp_path / "out"), "--template", str(broken))
    assert result.code == 2 and "must be UTF-8 text" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **ISOLATED}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=True).stdout


def test_git_at_the_top_of_an_existing_repository_commits_only_its_own_files(cli, tmp_path: Path) -> None:
    """Issue 10 (5): the user's uncommitted change and an untracked secret stay out of the commit; no git init, no tag."""
    root = tmp_path / "project"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "notes.txt").write_text("first\n")
    _git(root, "add", "notes.txt")
    _git(root, "commit", "-q", "-m", "theirs")
    (root / "notes.txt").write_text("first\nan edit in progress\n")
    _git(root, "add", "notes.txt")  # staged, not committed: it must stay so
    (root / "secret.env").write_text("TOKEN=hunter2\n")
    result = cli("init", str(root), "--template", "minimal", "--git")
    assert result.code == 0, result.err
    assert result.err.endswith("committed them (and nothing else) in the existing repository; no tag made\n")
    committed = set(_git(root, "show", "--name-only", "--format=", "HEAD").split())
    assert "secret.env" not in committed and "notes.txt" not in committed and "model_spec.md" in committed
    assert _git(root, "log", "--format=%s").splitlines() == ["Start the spec from the spectools 'minimal' template", "theirs"]
    assert _git(root, "tag") == ""
    assert _git(root, "diff", "--cached", "--name-only").split() == ["notes.txt"]  # still staged
    assert "?? secret.env" in _git(root, "status", "--porcelain")
    assert not (root / "examples" / ".git").exists()


def test_git_in_a_folder_with_files_and_no_repository_leaves_them_out(cli, tmp_path: Path) -> None:
    root = tmp_path / "spec"
    root.mkdir()
    (root / "secret.env").write_text("TOKEN=hunter2\n")
    result = cli("init", str(root), "--template", "minimal", "--git")
    assert result.code == 0 and result.err.endswith("committed them and tagged v0.1.0\n"), result.err
    assert "secret.env" not in _git(root, "show", "--name-only", "--format=", "HEAD").split()
    assert "?? secret.env" in _git(root, "status", "--porcelain")
