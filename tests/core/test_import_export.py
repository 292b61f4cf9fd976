"""Customer import (template, dry run, all-or-nothing, update by code) and export (permission, audit)."""
import io

from openpyxl import load_workbook
from sqlalchemy import select

from core.audit import AuditEvent
from core.db import db
from core.registry.models import Customer
from core.registry.transfer import header_labels, write_csv, write_xlsx
from core.testing import csrf_token, login, make_customer, make_user, post_form

ZH = header_labels("zh")


def sheet(data: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]


def row(code="", name="", kind="经销商", phone="0371-1234567", region="east", owner="", prospect="是"):
    return [code, name, kind, "A", phone, "", "郑州", region, owner, prospect, "2015-03-01", "", "", ""]


def upload(client, data: bytes, filename="customers.xlsx"):
    token = csrf_token(client, "/customers/import")
    return client.post("/customers/import", data={"csrf_token": token, "upload": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_template_downloads_in_chinese_and_english(client, users):
    login(client, "specialist")
    zh = sheet(client.get("/customers/import/template.xlsx?lang=zh").data)
    en = sheet(client.get("/customers/import/template.xlsx?lang=en").data)
    assert zh[0][:3] == ["编号", "名称", "客户类型"] and en[0][:3] == ["Code", "Name", "Business type"]
    csv_text = client.get("/customers/import/template.csv?lang=zh").data.decode("utf-8-sig")
    assert csv_text.startswith("编号,名称,客户类型")


def test_dry_run_shows_every_row_error_and_writes_nothing(client, users):
    make_customer("已有客户", users["rep_east"], code="C900001")
    login(client, "specialist")
    data = write_xlsx(ZH, [row(name=""), row(name="坏电话", phone="abc"), row(name="坏区域", region="mars"),
                           row(code="D1", name="重复一"), row(code="D1", name="重复二"), row(name="好的")])
    preview = client.get(upload(client, data).headers["Location"])
    html = preview.get_data(as_text=True)
    for message in ("缺少名称", "电话号码“abc”有误", "未知的区域“mars”", "编号 D1 重复（第 5 行也有）"):
        assert message in html, message
    assert "立即导入" not in html
    assert db.session.query(Customer).count() == 1
    token = preview.request.path.rsplit("/", 1)[1]
    refused = post_form(client, f"/customers/import/{token}/confirm", {}, page=preview.request.path,
                        follow_redirects=True)
    assert "文件有错误，未导入任何数据" in refused.get_data(as_text=True)
    assert db.session.query(Customer).count() == 1
    errors = sheet(client.get(f"/customers/import/{token}/errors.xlsx").data)
    assert errors[0][-1] == "错误" and len(errors) == 1 + 4  # header + the four bad rows (both duplicates)
    assert "缺少名称" in errors[1][-1]


def test_import_creates_then_reimport_updates_by_code(client, users):
    login(client, "specialist")
    data = write_xlsx(ZH, [row(code="N001", name="新客户一", owner="rep_east"), row(code="N002", name="新客户二")])
    preview = client.get(upload(client, data).headers["Location"])
    assert "新增 2 条，更新 0 条" in preview.get_data(as_text=True)
    done = post_form(client, preview.request.path + "/confirm", {}, page=preview.request.path, follow_redirects=True)
    assert "导入完成：新增 2 条，更新 0 条" in done.get_data(as_text=True)
    first = db.session.scalar(select(Customer).where(Customer.code == "N001"))
    assert first.owner_id == users["rep_east"].id and first.name_initials == "xkhy"
    changed = write_xlsx(ZH, [row(code="N001", name="新客户一（改名）"), row(code="N002", name="新客户二")])
    preview = client.get(upload(client, changed).headers["Location"])
    assert "新增 0 条，更新 2 条" in preview.get_data(as_text=True)
    post_form(client, preview.request.path + "/confirm", {}, page=preview.request.path)
    db.session.expire_all()
    assert db.session.query(Customer).count() == 2
    assert db.session.scalar(select(Customer.name).where(Customer.code == "N001")) == "新客户一（改名）"
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert [a.changes["created"] for a in audit] == [2, 0]


def test_csv_saved_by_chinese_excel_in_gb18030(client, users):
    login(client, "specialist")
    data = write_csv(ZH, [row(name="国标编码客户")]).decode("utf-8-sig").encode("gb18030")
    preview = client.get(upload(client, data, "customers.csv").headers["Location"])
    assert "国标编码客户" in preview.get_data(as_text=True) and "立即导入" in preview.get_data(as_text=True)


def test_unreadable_file_is_a_message_not_a_traceback(client, users):
    login(client, "specialist")
    preview = client.get(upload(client, b"not really excel").headers["Location"])
    assert preview.status_code == 200 and "无法读取该文件" in preview.get_data(as_text=True)
    page = upload(client, b"x", "customers.txt")
    assert page.status_code == 200 and "请上传按模板制作的" in page.get_data(as_text=True)


def test_import_needs_its_permission(client, users):
    login(client, "rep_east")
    assert client.get("/customers/import").status_code == 403


def test_export_needs_the_export_permission_not_just_viewing(client, users):
    make_customer("甲", users["rep_east"])
    login(client, "specialist")  # sees every archive, may not export
    assert client.get("/customers/").status_code == 200
    assert client.get("/customers/export.xlsx").status_code == 403
    assert "导出 Excel" not in client.get("/customers/").get_data(as_text=True)


def test_export_of_the_filtered_list_is_audited_and_round_trips(app, users):
    make_customer("东区甲", users["rep_east"], business_type="farm")
    make_customer("东区乙", users["rep_east"], business_type="distributor")
    make_customer("西区丙", users["rep_west"], business_type="farm")
    manager = make_user("manager", ("cm_manager",))
    assert manager.can("customers.export")
    client = app.test_client()
    login(client, "manager")
    data = client.get("/customers/export.xlsx?business_type=farm").data
    rows = sheet(data)
    assert rows[0][:2] == ["编号", "名称"] and sorted(r[1] for r in rows[1:]) == ["东区甲", "西区丙"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.user_id == manager.id
    assert event.changes["rows"] == 2 and event.changes["filter"]["business_type"] == "farm"
    csv_rows = client.get("/customers/export.csv").data.decode("utf-8-sig").splitlines()
    assert len(csv_rows) == 4
    # the export is a valid import: every row updates its own archive
    preview = client.get(upload(client, data).headers["Location"])
    assert "新增 0 条，更新 2 条，有错误 0 条" in preview.get_data(as_text=True)


def test_cli_import_with_dry_run_and_progress(app, users, tmp_path):
    path = tmp_path / "customers.xlsx"
    path.write_bytes(write_xlsx(ZH, [row(code="CLI1", name="命令行客户")]))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["customers", "import", str(path), "--user", "specialist", "--dry-run"])
    assert dry.exit_code == 0 and "1 new" in dry.output and db.session.query(Customer).count() == 0
    done = runner.invoke(args=["customers", "import", str(path), "--user", "specialist"])
    assert done.exit_code == 0 and "Imported: 1 new" in done.output
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(write_xlsx(ZH, [row(name="")]))
    failed = runner.invoke(args=["customers", "import", str(bad), "--user", "specialist"])
    assert failed.exit_code != 0 and "line 2" in failed.output


def test_reimporting_rows_without_codes_does_not_duplicate(client, users):
    login(client, "specialist")
    data = write_xlsx(ZH, [row(name="无编号客户")])
    preview = client.get(upload(client, data).headers["Location"])
    post_form(client, preview.request.path + "/confirm", {}, page=preview.request.path)
    again = client.get(upload(client, data).headers["Location"]).get_data(as_text=True)
    code = db.session.scalar(select(Customer.code).where(Customer.name == "无编号客户"))
    assert f"已有名为“无编号客户”的客户（编号 {code}）" in again and "立即导入" not in again
    assert db.session.query(Customer).count() == 1
