"""A real OpenID provider for the single sign-on tests, and a browser that goes through it.

The provider is django-oidc-provider served by `runserver` in a process of its own
(tests/sso/op_site), on its own SQLite database and port; the portal runs under pytest-django's
live server. The "browser" is a `requests.Session` that follows the redirects and fills in the
provider's log-in form, as a person would.
"""

import html
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from aims.core.sso_config import role_map

BASE_DIR = Path(__file__).resolve().parents[2]
CLIENT_ID = "aims-portal"
CLIENT_SECRET = "client-secret-of-the-portal"
PROVIDER_PASSWORD = "provider-password"
ROLE_MAP = "aims-auditors=Auditor,aims-compliance=Compliance Officer"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    env: dict

    def manage(self, *args):
        return subprocess.run(
            [sys.executable, "-m", "django", *args],
            env=self.env,
            cwd=BASE_DIR,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def user(self, username, *, groups=(), rename="", first_name="", last_name=""):
        """Create or change a user at the provider; the provider's user id (its `sub`)."""
        args = ["op_user", username, "--groups", ",".join(groups), "--password", PROVIDER_PASSWORD]
        if rename:
            args += ["--rename", rename]
        args += ["--first-name", first_name, "--last-name", last_name]
        return self.manage(*args).strip()


@pytest.fixture(scope="session")
def provider(live_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("openid-provider")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sso.op_site.settings",
        "OP_DB": str(folder / "provider.sqlite3"),
        "OP_SITE_URL": f"http://127.0.0.1:{port}",
    }
    op = Provider(issuer=f"http://127.0.0.1:{port}/openid", env=env)
    op.manage("migrate", "--noinput", "-v0")
    op.manage(
        "op_client",
        CLIENT_ID,
        CLIENT_SECRET,
        f"{live_server.url}/oidc/callback/",
        f"{live_server.url}/accounts/login/",
    )
    with open(folder / "server.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            cwd=BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{op.issuer}/.well-known/openid-configuration", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError((folder / "server.log").read_text()) from None
                time.sleep(0.2)
        yield op
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "oidc-client-secret"
    path.write_text(CLIENT_SECRET + "\n", encoding="utf-8")
    return path


@pytest.fixture
def sso_settings(settings, provider, secret_file, transactional_db):
    settings.AIMS_OIDC_ISSUER = provider.issuer
    settings.AIMS_OIDC_CLIENT_ID = CLIENT_ID
    settings.AIMS_OIDC_CLIENT_SECRET_FILE = str(secret_file)
    settings.AIMS_OIDC_ROLE_CLAIM = "groups"
    settings.AIMS_OIDC_ROLE_MAP = role_map(ROLE_MAP)
    settings.AIMS_PASSWORD_LOGIN = True
    return settings


HIDDEN_NEXT = re.compile(r'name="next" value="([^"]*)"')


class Browser(requests.Session):
    """Follows redirects across the portal and the provider, cookies per host."""

    def __init__(self, portal):
        super().__init__()
        self.portal = portal

    def provider_login_page(self, next_url=""):
        """Start single sign-on at the portal; the provider's log-in page it leads to."""
        query = f"?next={next_url}" if next_url else ""
        page = self.get(f"{self.portal}/oidc/login/{query}", timeout=10)
        assert "Test identity provider" in page.text, page.url
        return page

    def submit_provider_login(self, page, username, *, allow_redirects=True):
        return self.post(
            page.url,
            data={
                "csrfmiddlewaretoken": self.cookies.get("op_csrftoken"),
                "username": username,
                "password": PROVIDER_PASSWORD,
                "next": html.unescape(HIDDEN_NEXT.search(page.text)[1]),
            },
            allow_redirects=allow_redirects,
            timeout=10,
        )

    def sign_in(self, username, next_url=""):
        return self.submit_provider_login(self.provider_login_page(next_url), username)

    def callback_url(self, username):
        """Sign in at the provider but stop before the portal's callback: its URL."""
        response = self.submit_provider_login(
            self.provider_login_page(), username, allow_redirects=False
        )
        location = urljoin(response.url, response.headers["Location"])
        while not location.startswith(f"{self.portal}/oidc/callback/"):
            response = self.get(location, allow_redirects=False, timeout=10)
            location = urljoin(response.url, response.headers["Location"])
        return location

    def csrf_post(self, path, **kwargs):
        token = self.cookies.get("csrftoken", domain=self.portal.split("//")[1].split(":")[0])
        if token is None:
            self.get(f"{self.portal}/accounts/login/", timeout=10)
            token = self.cookies.get("csrftoken")
        return self.post(
            f"{self.portal}{path}",
            data={"csrfmiddlewaretoken": token, **kwargs.pop("data", {})},
            headers={"Referer": f"{self.portal}/"},
            timeout=10,
            **kwargs,
        )


@pytest.fixture
def browser(live_server):
    with Browser(live_server.url) as session:
        yield session


@pytest.fixture
def another_browser(live_server):
    with Browser(live_server.url) as session:
        yield session
