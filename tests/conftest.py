from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("TENDERLENS_SHARED_DIR", REPO.parent / "shared"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to test a mypyc build older than its source (a compiled module edited since the install)."""
    from tenderlens.compiled import COMPILED, built_extensions, pure_python_requested, source_path

    if pure_python_requested():
        return
    for name in COMPILED:
        source = source_path(name)
        for extension in built_extensions(name):
            if extension.stat().st_mtime < source.stat().st_mtime:
                pytest.exit(
                    f"{extension.name} was compiled before the last change to {source.name}: "
                    "run scripts/bootstrap dev to rebuild it, or set TENDERLENS_PURE_PYTHON=1",
                    returncode=4,
                )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``: real FTS and Contracts Finder data, schemas and reference lists."""
    data = SHARED / "data"
    if not data.is_dir():
        pytest.skip(f"shared data not found at {data} (set TENDERLENS_SHARED_DIR)")
    return data


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test's data directory (e.g. a PostgreSQL store's text index) is its own tmp_path."""
    monkeypatch.setenv("TENDERLENS_DATA_DIR", str(tmp_path / "data"))


# -- stores: SQLite always; PostgreSQL when a server is configured (required when CI=true) ---------

POSTGRES_ENV = "TENDERLENS_TEST_POSTGRES_URL"
DEFAULT_CI_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI") == "true":
        return DEFAULT_CI_POSTGRES
    return None


def _postgres_schema_url(base: str) -> tuple[str, str]:
    """A fresh schema on the server, and a URL whose connections use it."""
    import uuid

    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable at {base}: {error.orig}")
    finally:
        engine.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def _drop_schema(base: str, schema: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A database URL for an empty store, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip(f"no PostgreSQL configured (set {POSTGRES_ENV}, or CI=true for {DEFAULT_CI_POSTGRES})")
    url, schema = _postgres_schema_url(base)
    yield url
    _drop_schema(base, schema)


@pytest.fixture
def store(store_url: str):
    from tenderlens.store import Store

    opened = Store.open(store_url)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"
