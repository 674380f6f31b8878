"""The demo magazine's scripts: the shipped YAML files load, and a malformed one is refused with its place named."""

from __future__ import annotations

from pathlib import Path

import pytest

from elearn.demo.magazine_script import MAX_PANELS, SPEAKERS, ScriptError, load_issues, transcript

VALID = """\
title: テスト号
summary: 試しの号です。
tags: [テスト]
related_courses: [dx-basics]
pages:
- description: '{guest}がデジまると話す。'
  panels:
  - scene: デジまるが手を振る
    lines:
    - guide: こんにちは、{guest}！
    - guest: こんにちは。
  - scene: 二人が笑う
"""


def _folder(tmp_path: Path, *scripts: str) -> Path:
    for number, script in enumerate(scripts, start=1):
        (tmp_path / f"{number:02d}.yaml").write_text(script, encoding="utf-8")
    return tmp_path


def _refusal(folder: Path) -> str:
    with pytest.raises(ScriptError) as refused:
        load_issues(folder)
    return str(refused.value)


def test_every_shipped_script_loads_into_eleven_issues_of_drawable_pages():
    issues = load_issues()
    assert len(issues) == 11
    for issue in issues:
        assert issue.title and issue.pages
        for page in issue.pages:
            assert 1 <= len(page.panels) <= MAX_PANELS
            assert all(line.speaker in SPEAKERS for panel in page.panels for line in panel.lines)
            assert "{" not in transcript(page, {"guest": "佐藤さん", "guest2": "鈴木さん"})


def test_a_valid_script_becomes_an_issue_with_a_silent_panel(tmp_path):
    [issue] = load_issues(_folder(tmp_path, VALID))
    [page] = issue.pages
    assert (issue.title, issue.tags, issue.related_courses) == ("テスト号", ("テスト",), ("dx-basics",))
    assert not page.spread
    assert [line.speaker for line in page.panels[0].lines] == ["guide", "guest"]
    assert page.panels[1].lines == ()


@pytest.mark.parametrize(("broken", "place", "reason"), [
    (VALID.replace("- guest: こんにちは。", "- gest: こんにちは。"), "issue 1, page 1, panel 1, line 2",
     "unknown speaker 'gest'"),
    (VALID.replace("- guest: こんにちは。", "- guest: こんにちは。\n      guide: 二人目"),
     "issue 1, page 1, panel 1, line 2", "one `speaker: text` pair"),
    (VALID.replace("title: テスト号", "title: 2025"), "issue 1: title", "expected text, found 2025"),
    (VALID.replace("summary: 試しの号です。\n", ""), "issue 1", "missing summary"),
    (VALID.replace("  - scene: 二人が笑う\n", "  - scene: 二人が笑う\n    mood: happy\n"), "issue 1, page 1, panel 2",
     "unknown key mood"),
    (VALID.replace("  - scene: 二人が笑う\n", "  - scene: 二人が笑う\n" * MAX_PANELS),  # one panel too many
     "issue 1, page 1: panels", f"1 to {MAX_PANELS} panels, not {MAX_PANELS + 1}"),
    (VALID.replace("こんにちは、{guest}！", "こんにちは、{guset}！"), "issue 1, page 1, panel 1, line 1",
     "unknown placeholder"),
    (VALID.replace("- description:", "- spread: yes please\n  description:"), "issue 1, page 1: spread",
     "true or false"),
    (VALID.replace("tags: [テスト]", "tags: [テスト"), "", "not valid YAML"),
])
def test_a_malformed_script_is_refused_naming_the_file_and_the_place(tmp_path, broken, place, reason):
    message = _refusal(_folder(tmp_path, VALID, broken))
    assert message.startswith(f"{tmp_path / '02.yaml'}:")
    assert place.replace("issue 1", "issue 2") in message and reason in message


def test_scripts_numbered_with_a_gap_are_refused(tmp_path):
    _folder(tmp_path, VALID)
    (tmp_path / "03.yaml").write_text(VALID, encoding="utf-8")
    message = _refusal(tmp_path)
    assert str(tmp_path / "03.yaml") in message and "expected 02.yaml" in message


def test_a_folder_without_scripts_is_refused(tmp_path):
    assert "no issue scripts" in _refusal(tmp_path)
