"""Upload limits and the life of stored import files."""
import io
import os
import time
from pathlib import Path

from core.db import db
from core.registry.models import Contract
from core.registry.transfer import header_labels, write_xlsx
from core.testing import csrf_token, login, make_customer, post_form

MB = 1024 * 1024


def imports_dir(app) -> Path:
    return Path(app.instance_path) / "uploads" / "imports"


def stored(app, kind: str) -> list[str]:
    folder = Path(app.instance_path) / "uploads" / kind
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def upload_import(client, data: bytes, filename="customers.xlsx"):
    token = csrf_token(client, "/customers/import")
    return client.post("/customers/import", data={"csrf_token": token, "upload": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def good_file() -> bytes:
    return write_xlsx(header_labels("zh"), [["", "客户", "经销商", "A", "0371-1234567", "", "", "", "", "是",
                                             "", "", "", ""]])


def test_a_contract_file_over_the_limit_is_a_form_message_and_not_stored(app, client, users):
    customer = make_customer("甲", users["rep_east"])
    login(client, "rep_east")
    url = f"/customers/{customer.id}/contracts/new"
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "number": "HT-1",
                                  "upload": (io.BytesIO(b"%PDF" + b"0" * (11 * MB)), "big.pdf")},
                       content_type="multipart/form-data")
    assert page.status_code == 200
    assert "文件太大：最多 10 MB。" in page.get_data(as_text=True)
    assert db.session.query(Contract).count() == 0 and stored(app, "contracts") == []


def test_an_import_file_over_the_limit_is_a_form_message_and_not_stored(app, client, users):
    login(client, "specialist")
    page = upload_import(client, b"x" * (5 * MB), "customers.csv")
    assert page.status_code == 200
    assert "文件太大：最多 4 MB。" in page.get_data(as_text=True)
    assert stored(app, "imports") == []


def test_a_request_over_the_overall_limit_gets_a_413_page_in_both_languages(app, client, users):
    customer = make_customer("甲", users["rep_east"])
    login(client, "rep_east")
    url = f"/customers/{customer.id}/contracts/new"
    token = csrf_token(client, url)
    body = {"csrf_token": token, "number": "HT-1", "upload": (io.BytesIO(b"0" * (13 * MB)), "huge.pdf")}
    page = client.post(url, data=body, content_type="multipart/form-data")
    assert page.status_code == 413
    assert "文件太大：最多 12 MB。" in page.get_data(as_text=True)
    post_form(client, "/language", {"locale": "en"}, page="/")
    body["upload"] = (io.BytesIO(b"0" * (13 * MB)), "huge.pdf")
    page = client.post(url, data=body, content_type="multipart/form-data")
    assert page.status_code == 413 and "The file is too large: at most 12 MB." in page.get_data(as_text=True)
    assert stored(app, "contracts") == []


def test_a_new_import_removes_the_previous_one_and_files_older_than_a_day(app, client, users):
    login(client, "specialist")
    first = upload_import(client, good_file()).headers["Location"]
    assert len(stored(app, "imports")) == 1
    forgotten = imports_dir(app) / "0123abcd.xlsx"
    forgotten.write_bytes(b"old")
    day_ago = time.time() - 25 * 3600
    os.utime(forgotten, (day_ago, day_ago))
    recent = imports_dir(app) / "4567ef.xlsx"  # someone else's import in progress
    recent.write_bytes(b"new")
    second = upload_import(client, good_file()).headers["Location"]
    assert not forgotten.exists() and recent.exists()
    assert len(stored(app, "imports")) == 2
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_cancel_and_confirm_delete_the_stored_file(app, client, users):
    login(client, "specialist")
    preview = client.get(upload_import(client, good_file()).headers["Location"])
    assert "取消导入" in preview.get_data(as_text=True)
    cancelled = post_form(client, preview.request.path + "/cancel", {}, page=preview.request.path,
                          follow_redirects=True)
    assert "已取消导入" in cancelled.get_data(as_text=True)
    assert stored(app, "imports") == []
    assert client.get(preview.request.path).status_code == 404
    preview = client.get(upload_import(client, good_file()).headers["Location"])
    post_form(client, preview.request.path + "/confirm", {}, page=preview.request.path)
    assert stored(app, "imports") == []
