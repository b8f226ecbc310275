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
            PUBLIC_BASE_URL="https://essc.example.cn",
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
        PUBLIC_BASE_URL="https://essc.example.cn",
        KEYS_DIR=str(tmp_path),
        UPLOAD_FOLDER=str(tmp_path / "u"),
        SQLALCHEMY_DATABASE_URI="sqlite://",
        MASTER_KEY=key,
        AUDIT_CHAIN_KEY=key,
        DOCUMENT_SIGNING_KEY=key,
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_to_start_without_the_document_seal(tmp_path):
    """S9: production never generates a key; without the document-signing key it does not start."""
    from app.core.crypto import MasterKeyMissing

    key = base64.b64encode(b"k" * 32).decode()
    with pytest.raises(MasterKeyMissing, match="document_signing"):
        create_app(
            "production",
            SECRET_KEY="s" * 32,
            PUBLIC_BASE_URL="https://essc.example.cn",
            KEYS_DIR=str(tmp_path),
            UPLOAD_FOLDER=str(tmp_path / "u"),
            SQLALCHEMY_DATABASE_URI="sqlite://",
            MASTER_KEY=key,
            AUDIT_CHAIN_KEY=key,
        )


def test_key_settings_come_from_the_environment(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("AUDIT_CHAIN_KEY_FILE", "/run/secrets/audit")
    monkeypatch.setenv("DOCUMENT_SIGNING_KEY_FILE", "/run/secrets/seal")
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.AUDIT_CHAIN_KEY_FILE == "/run/secrets/audit"
        assert reloaded.Config.DOCUMENT_SIGNING_KEY_FILE == "/run/secrets/seal"
    finally:
        monkeypatch.delenv("AUDIT_CHAIN_KEY_FILE")
        monkeypatch.delenv("DOCUMENT_SIGNING_KEY_FILE")
        importlib.reload(config)


def test_s9_production_refuses_to_start_without_the_public_address(tmp_path):
    key = base64.b64encode(b"k" * 32).decode()
    for address in ("", "essc.example.cn"):
        with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
            create_app(
                "production",
                SECRET_KEY="s" * 32,
                PUBLIC_BASE_URL=address,
                KEYS_DIR=str(tmp_path),
                UPLOAD_FOLDER=str(tmp_path / "u"),
                SQLALCHEMY_DATABASE_URI="sqlite://",
                MASTER_KEY=key,
                AUDIT_CHAIN_KEY=key,
                DOCUMENT_SIGNING_KEY=key,
            )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(RuntimeError):
        create_app("production", SECRET_KEY="", KEYS_DIR=str(tmp_path), UPLOAD_FOLDER=str(tmp_path / "u"))


def test_development_creates_a_private_master_key(tmp_path):
    create_app(
        "development", KEYS_DIR=str(tmp_path), UPLOAD_FOLDER=str(tmp_path / "u"), SQLALCHEMY_DATABASE_URI="sqlite://"
    )
    assert oct((tmp_path / "master.key").stat().st_mode & 0o777) == "0o600"
