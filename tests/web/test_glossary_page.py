"""用語集: every signed-in person reads the terms the courses use; nobody else."""

from pathlib import Path

from support import sign_in

PROJECT = Path(__file__).resolve().parents[2]


def test_the_glossary_lists_the_terms_with_readings_for_anyone_signed_in(make_app, make_user):
    app = make_app(CONTENT_ROOT=str(PROJECT))
    client = app.test_client()
    assert client.get("/glossary").status_code == 302  # to sign-in
    sign_in(client, make_user())
    page = client.get("/glossary").get_data(as_text=True)
    assert "<h1>用語集</h1>" in page
    assert 'id="SLA"' in page and "Service Level Agreement" in page and "エスエルエー" in page
    assert page.index("アールエフアイ") < page.index("エスエルエー") < page.index("ゼロトラスト")  # 五十音順
