"""Document numbers stay unique and gapless when many people issue them at once."""
import threading

from core.db import db
from core.numbering import next_number


def test_fifty_concurrent_numbers_are_unique_and_gapless(app):
    results: list[int] = []
    errors: list[Exception] = []
    lock = threading.Lock()
    start = threading.Barrier(10)

    def worker():
        with app.app_context():
            start.wait()
            for _ in range(5):
                try:
                    number = next_number("WB-20261123")
                    db.session.commit()
                except Exception as exc:  # a lost race must show up, not pass silently
                    db.session.rollback()
                    errors.append(exc)
                    continue
                with lock:
                    results.append(number)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == list(range(1, 51))


def test_a_rolled_back_number_is_given_again(app):
    assert next_number("CM-2026") == 1
    db.session.rollback()
    assert next_number("CM-2026") == 1
    db.session.commit()
    assert next_number("CM-2026") == 2
