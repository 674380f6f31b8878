from datetime import UTC, datetime, timedelta

from elearn.domain.passwords import MIN_LENGTH, password_problems, random_password
from elearn.domain.throttle import FailureRecord, ThrottlePolicy, after_failure, is_locked

NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(max_failures=3, lock_for=timedelta(minutes=15))


def test_an_account_locks_on_the_nth_failure_within_the_window():
    record = None
    for minute in range(3):
        record = after_failure(record, NOW + timedelta(minutes=minute), POLICY)
    assert record.failures == 3
    assert is_locked(record, NOW + timedelta(minutes=3))
    assert not is_locked(record, NOW + timedelta(minutes=2 + 15, seconds=1))


def test_old_failures_are_forgotten_after_the_window():
    record = FailureRecord(failures=2, first_failed_at=NOW - timedelta(minutes=16))
    record = after_failure(record, NOW, POLICY)
    assert record.failures == 1
    assert not is_locked(record, NOW)


def test_no_record_means_not_locked():
    assert not is_locked(None, NOW)


def test_short_passwords_and_staff_numbers_are_refused():
    assert "too_short" in password_problems("abc")
    assert "contains_staff_number" in password_problems("x-123456-secret", staff_number="123456")
    assert "contains_email" in password_problems("hanako-is-great", email="hanako@example.lg.jp")
    assert "too_simple" in password_problems("aaaaaaaaaaaa")
    assert password_problems("correct-horse-42") == []


def test_random_passwords_are_readable_and_acceptable():
    for _ in range(50):
        password = random_password()
        assert len(password) >= MIN_LENGTH
        assert not set(password) & set("0O1lI")
        assert password_problems(password) == []


def test_a_full_cost_hash_waits_for_the_one_in_progress_in_the_same_process():
    import threading

    from elearn.services.people import passwords

    password = "a-long-enough-password"
    stored = passwords.hash_password(password)
    results: list[bool] = []
    checking = threading.Thread(target=lambda: results.append(passwords.verify_password(stored, password)))
    with passwords._full_cost_hashing:  # another thread's hash in progress
        checking.start()
        checking.join(timeout=0.5)  # a verification takes about 0.1 s when nothing holds it back
        assert checking.is_alive() and results == []
    checking.join(timeout=10)
    assert results == [True]
