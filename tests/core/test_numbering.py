"""Document numbers stay unique and gapless when many people issue them at once."""
import threading
from datetime import date

from core.db import db
from core.numbering import document_number, format_document_number, next_number


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


def test_document_numbers_are_formatted_one_way():
    assert format_document_number("DD", date(2026, 1, 5), 1) == "DD-2026-00001"
    assert format_document_number("WB", date(2026, 11, 23), 42, dated=True) == "WB-20261123-00042"


def test_document_number_series_are_per_owner_prefix_and_year(app):
    day = date(2026, 11, 23)
    assert document_number("complaints", "TS", day) == "TS-2026-00001"
    assert document_number("complaints", "TS", date(2026, 12, 31), dated=True) == "TS-20261231-00002"
    assert document_number("other", "TS", day) == "TS-2026-00001"  # another plugin's series
    assert document_number("complaints", "TS", date(2027, 1, 1)) == "TS-2027-00001"  # a new year
    db.session.commit()
