"""Start-up checks of the configuration."""

import base64

import pytest

from app import create_app
from app.core.crypto import MasterKeyMissing


def test_production_refuses_to_start_without_a_master_key(tmp_path, monkeypatch):
    monkeypatch.delenv("MASTER_KEY", raising=False)
    with pytest.raises(MasterKeyMissing):
        create_app(
            "production",
            SECRET_KEY="s" * 32,
            KEYS_DIR=str(tmp_path),
            UPLOAD_FOLDER=str(tmp_path / "u"),
            SQLALCHEMY_DATABASE_URI="sqlite://",
        )
    assert not (tmp_path / "master.key").exists()


def test_production_takes_the_master_key_from_the_environment(tmp_path):
    key = base64.b64encode(b"k" * 32).decode()
    app = create_app(
        "production",
        SECRET_KEY="s" * 32,
        KEYS_DIR=str(tmp_path),
        UPLOAD_FOLDER=str(tmp_path / "u"),
        SQLALCHEMY_DATABASE_URI="sqlite://",
        MASTER_KEY=key,
        AUDIT_CHAIN_KEY=key,
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(RuntimeError):
        create_app("production", SECRET_KEY="", KEYS_DIR=str(tmp_path), UPLOAD_FOLDER=str(tmp_path / "u"))


def test_development_creates_a_private_master_key(tmp_path):
    create_app(
        "development", KEYS_DIR=str(tmp_path), UPLOAD_FOLDER=str(tmp_path / "u"), SQLALCHEMY_DATABASE_URI="sqlite://"
    )
    assert oct((tmp_path / "master.key").stat().st_mode & 0o777) == "0o600"
