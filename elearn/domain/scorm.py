"""What a SCORM package's run-time data says about the learner: done or not, passed or not, and the score.

SCORM 1.2 has one `cmi.core.lesson_status` (passed, completed, failed, incomplete, browsed, not attempted);
SCORM 2004 splits it into `cmi.completion_status` and `cmi.success_status`. Where the manifest sets a
mastery score (1.2 `adlcp:masteryscore`, 0-100 raw) or a passing measure (2004 `minNormalizedMeasure`, -1..1
scaled) and the package reports a score, the score decides passing, as both standards ask of the LMS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MAX_COMMIT_BYTES = 256 * 1024  # 2004 suspend_data may be 64,000 characters; interactions add more


@dataclass(frozen=True)
class Standing:
    is_complete: bool  # counts toward the lesson: completed or passed, and not failed
    passed: bool | None  # None: the package does not judge
    score: float | None  # 0-100
    status: str  # as the package last said it (for people reading the record)


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN is not a score


def standing_12(cmi: Mapping, mastery_score: float | None) -> Standing:
    core = cmi.get("core") if isinstance(cmi.get("core"), Mapping) else {}
    status = str(core.get("lesson_status") or "not attempted")
    score_map = core.get("score") if isinstance(core.get("score"), Mapping) else {}
    raw = _number(score_map.get("raw"))
    passed: bool | None = {"passed": True, "failed": False}.get(status)
    if mastery_score is not None and raw is not None:
        passed = raw >= mastery_score
    complete = status in ("passed", "completed") if passed is None else passed
    return Standing(complete, passed, raw, status)


def standing_2004(cmi: Mapping, passing_measure: float | None) -> Standing:
    completion = str(cmi.get("completion_status") or "unknown")
    success = str(cmi.get("success_status") or "unknown")
    score_map = cmi.get("score") if isinstance(cmi.get("score"), Mapping) else {}
    scaled = _number(score_map.get("scaled"))
    raw = _number(score_map.get("raw"))
    passed: bool | None = {"passed": True, "failed": False}.get(success)
    if passing_measure is not None and scaled is not None:
        passed = scaled >= passing_measure
    complete = completion == "completed" and passed is not False
    if passed is True and completion in ("unknown", "completed"):
        complete = True  # a package that only judges success: passing it is finishing it
    score = scaled * 100 if scaled is not None else raw
    return Standing(complete, passed, score, f"{completion}/{success}")


def standing(version: str, cmi: Mapping, mastery: float | None) -> Standing:
    return standing_12(cmi, mastery) if version == "1.2" else standing_2004(cmi, mastery)


def resume_data(version: str, stored: Mapping, learner_id: str, learner_name: str) -> dict:
    """What the player loads before the package starts: what the package saved, who the learner is, and
    whether this is a return to a suspended attempt (`entry`). Values a new session sets itself are left out."""
    if version == "1.2":
        core = dict(stored.get("core") or {})
        suspended = core.get("exit") == "suspend" or bool(stored.get("suspend_data"))
        for key in ("exit", "session_time", "entry"):
            core.pop(key, None)
        core.update(student_id=learner_id, student_name=learner_name, entry="resume" if suspended else "ab-initio")
        return {**{k: v for k, v in stored.items() if k in ("suspend_data", "objectives", "student_preference")},
                "core": core}
    suspended = stored.get("exit") == "suspend" or bool(stored.get("suspend_data"))
    kept = {k: v for k, v in stored.items() if k in (
        "location", "suspend_data", "completion_status", "success_status", "score", "progress_measure",
        "objectives", "learner_preference", "total_time")}
    return {**kept, "learner_id": learner_id, "learner_name": learner_name,
            "entry": "resume" if suspended else "ab-initio"}
