"""What SCORM run-time data says: done, passed, score; and what a relaunch restores."""

import pytest

from elearn.domain.scorm import resume_data, standing_12, standing_2004


@pytest.mark.parametrize(("core", "mastery", "expected"), [
    ({"lesson_status": "completed"}, None, (True, None, None)),
    ({"lesson_status": "passed", "score": {"raw": "90"}}, None, (True, True, 90.0)),
    ({"lesson_status": "failed", "score": {"raw": "40"}}, None, (False, False, 40.0)),
    ({"lesson_status": "incomplete"}, None, (False, None, None)),
    # With a mastery score the score decides, whatever the package called it.
    ({"lesson_status": "passed", "score": {"raw": "70"}}, 80.0, (False, False, 70.0)),
    ({"lesson_status": "completed", "score": {"raw": "85"}}, 80.0, (True, True, 85.0)),
    ({"lesson_status": "browsed", "score": {"raw": "not a number"}}, 80.0, (False, None, None)),
])
def test_scorm_12_standing(core, mastery, expected):
    standing = standing_12({"core": core}, mastery)
    assert (standing.is_complete, standing.passed, standing.score) == expected


@pytest.mark.parametrize(("cmi", "measure", "expected"), [
    ({"completion_status": "completed", "success_status": "unknown"}, None, (True, None, None)),
    ({"completion_status": "completed", "success_status": "failed"}, None, (False, False, None)),
    ({"completion_status": "incomplete", "success_status": "unknown"}, None, (False, None, None)),
    ({"completion_status": "unknown", "success_status": "passed", "score": {"scaled": "0.9"}}, None,
     (True, True, 90.0)),
    ({"completion_status": "completed", "success_status": "passed", "score": {"scaled": "0.5"}}, 0.6,
     (False, False, 50.0)),
])
def test_scorm_2004_standing(cmi, measure, expected):
    standing = standing_2004(cmi, measure)
    assert (standing.is_complete, standing.passed, standing.score) == expected


def test_a_relaunch_restores_what_the_package_saved_and_says_it_resumes():
    stored = {"suspend_data": "page=4", "core": {"lesson_location": "4", "lesson_status": "incomplete",
                                                  "exit": "suspend", "session_time": "00:01:00"}}
    loaded = resume_data("1.2", stored, "100001", "山本, 明美")
    assert loaded["suspend_data"] == "page=4" and loaded["core"]["lesson_location"] == "4"
    assert loaded["core"]["entry"] == "resume" and "session_time" not in loaded["core"]
    assert (loaded["core"]["student_id"], loaded["core"]["student_name"]) == ("100001", "山本, 明美")
    fresh = resume_data("2004", {}, "100001", "山本, 明美")
    assert fresh == {"learner_id": "100001", "learner_name": "山本, 明美", "entry": "ab-initio"}
