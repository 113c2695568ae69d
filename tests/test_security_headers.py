"""Security headers on every response: CSP with no inline script, framing denied, no sniffing."""

from django.urls import reverse


def test_pages_carry_a_strict_content_security_policy(client, reference_data):
    response = client.get(reverse("registry:pct_list"))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


def test_pages_cannot_be_framed_or_sniffed(client, reference_data):
    response = client.get(reverse("registry:pct_list"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_page_uses_inline_script_or_style(client, alice, reference_data):
    client.force_login(alice)
    for url in [reverse("home"), reverse("registry:pct_list"), reverse("login")]:
        html = client.get(url).content.decode()
        assert "<script>" not in html
        assert " style=" not in html
        assert "hx-on" not in html


def test_forms_carry_a_csrf_token(client, reference_data):
    html = client.get(reverse("login")).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html


def test_html_responses_are_compressed(client, reference_data):
    response = client.get("/registry/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
