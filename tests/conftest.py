"""Shared fixtures: one app and schema per session, emptied between tests, plus factories."""

import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from lms.extensions import db, limiter

from support import PASSWORD, Factory, FreshRequestClient, empty_all_tables, make_test_app


@pytest.fixture(scope="session")
def tmp_root():
    with tempfile.TemporaryDirectory(prefix="lms-tests-") as tmp:
        os.environ["LMS_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        yield Path(tmp)


@pytest.fixture(scope="session")
def app(tmp_root):
    application = make_test_app(tmp_root)
    application.test_client_class = type("TestClient", (FreshRequestClient, FlaskClient), {})
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Each test starts from empty tables and fresh rate limits."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        empty_all_tables()
        limiter.reset()
    yield
    with application.app_context():
        db.session.remove()


@pytest.fixture
def ctx(app):
    """An application context for tests that use the database directly."""
    with app.test_request_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(ctx):
    factory = Factory()
    factory.regions()
    return factory


@pytest.fixture
def login(client):
    """Sign a test client in as a username with the shared test password."""

    def do_login(username: str, password: str = PASSWORD):
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, response.data[:500]
        return response

    return do_login


@pytest.fixture
def other_app(tmp_root, app):
    """Build more apps on the same database with other settings; their engines close afterwards."""
    built = []

    def build(**config):
        built.append(make_test_app(tmp_root, **config))
        return built[-1]

    yield build
    for extra in built:
        with extra.app_context():
            db.engine.dispose()


@pytest.fixture
def strict_app(tmp_root, app):
    """A second app on the same database with CSRF protection switched on."""
    strict = make_test_app(tmp_root, WTF_CSRF_ENABLED=True)
    yield strict
    with strict.app_context():
        db.engine.dispose()


@contextmanager
def serving(application):
    """Serve ``application`` on a free loopback port; yield its base URL."""
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port for the length of one test."""
    with serving(app) as base:
        yield base


@pytest.fixture(scope="module")
def demo_server(demo_app):
    """The loaded demo served on a free loopback port for the tests of one module."""
    with serving(demo_app) as base:
        yield base


@pytest.fixture(scope="session")
def demo_app(tmp_root):
    """An app with its own SQLite database and `lms demo` loaded once, for tests that walk the demo."""
    from flask.testing import FlaskClient

    from lms.demo import load_demo

    folder = tmp_root / "demo"
    folder.mkdir(exist_ok=True)
    application = make_test_app(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/demo.db")
    application.test_client_class = type("TestClient", (FreshRequestClient, FlaskClient), {})
    with application.app_context():
        db.create_all()
        load_demo()
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
