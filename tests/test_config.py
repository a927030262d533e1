from __future__ import annotations

import pytest

from config import Config
from crm import create_app


class ProductionConfig(Config):
    TESTING = False
    DEBUG = False


@pytest.mark.parametrize("key", ["", "dev-only-not-secret", "short"])
def test_refuses_to_start_in_production_without_a_real_secret_key(key: str) -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY=key, DATABASE_URL="sqlite://")


def test_starts_in_production_with_a_real_secret_key() -> None:
    app = create_app(ProductionConfig, SECRET_KEY="x" * 64, DATABASE_URL="sqlite://")
    assert not app.debug
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_debug_may_use_the_development_key() -> None:
    app = create_app(ProductionConfig, DEBUG=True, DATABASE_URL="sqlite://")
    assert app.debug
