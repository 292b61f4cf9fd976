from core.testing import login


def test_dashboard_after_login(client, users):
    assert client.get("/").status_code == 302
    response = login(client, "rep_east")
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Rep_East" in page.get_data(as_text=True)
