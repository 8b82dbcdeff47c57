"""Rule history and rule commits: what the ledger says of each rule's pre-registration."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from wgan.report.claims import CLAIMS, runs_commit
from wgan.report.rules import RULE_HISTORY, UNKNOWN, history_table, rule_commits

KEYS = {claim.key for claim in CLAIMS}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


def commit_claims(root: Path, text: str, message: str) -> str:
    path = root / "wgan" / "report" / "claims.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)
    return git(root, "rev-parse", "--short", "HEAD")


def test_rule_commits_follow_each_entry_separately(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    one = 'CLAIMS = (\n    Claim("a", rule="r1"),\n    Claim("b", rule="r1"),\n)\n'
    first = commit_claims(tmp_path, one, "both")
    second = commit_claims(tmp_path, one.replace('"b", rule="r1"', '"b", rule="r2"'), "b only")
    commits = rule_commits(["a", "b", "c"], tmp_path)
    assert commits == {"a": first, "b": second, "c": UNKNOWN}


def test_rule_commits_without_git_history_say_so(tmp_path: Path) -> None:
    assert rule_commits(["a"], tmp_path) == {"a": UNKNOWN}


def test_the_history_names_known_claims_and_says_why() -> None:
    for change in RULE_HISTORY:
        assert set(change.claims) <= KEYS, change.claims
        assert change.change and change.seen and change.reason
    table = history_table()
    assert list(table.columns) == ["date", "claims", "what changed", "outcome seen before",
                                   "why"]
    assert len(table) == len(RULE_HISTORY)


@pytest.mark.skipif(not (Path(__file__).parents[2] / ".git").exists(),
                    reason="needs the project's git history")
def test_the_history_cites_commits_of_this_repository() -> None:
    root = Path(__file__).parents[2]
    for change in RULE_HISTORY:
        assert git(root, "cat-file", "-t", change.commit) == "commit", change.commit


def test_runs_commit_counts_the_runs_of_each_commit() -> None:
    runs = [SimpleNamespace(detail={"git_sha": "abc"}), SimpleNamespace(detail={"git_sha": "abc"}),
            SimpleNamespace(detail={})]
    assert runs_commit(runs) == "abc (2 runs), unknown (1 run)"
    assert runs_commit([]) == "-"
