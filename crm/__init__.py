"""The application factory: configuration, extensions, blueprints, error pages and commands."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from config import DEVELOPMENT_SECRET_KEY, INSTANCE_DIR, Config


def create_app(config: type[Config] | None = None, **overrides: Any) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=os.path.join(os.path.dirname(__file__), "..", "templates"),
    )
    app.config.from_object(config or Config)
    app.config.update(overrides)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  (Қызылорда, not \u049a...)
    _refuse_default_secret_key(app)
    os.makedirs(app.instance_path, exist_ok=True)

    from crm import db, models, routing, security
    from crm.audit import services as audit
    from crm.auth import login, sessions, throttle
    from crm.i18n import locale

    models.register()
    routing.init_app(app)
    db.init_app(app)
    locale.init_app(app)
    login.init_app(app)
    sessions.init_app(app)
    throttle.init_app(app)
    security.init_app(app)
    audit.init_app(app)

    _register_blueprints(app)
    _register_template_helpers(app)
    _register_error_pages(app)
    _register_commands(app)
    return app


def _refuse_default_secret_key(app: Flask) -> None:
    if app.debug or app.testing:
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == DEVELOPMENT_SECRET_KEY or len(key) < 16:
        raise RuntimeError(
            "SECRET_KEY is missing or is the development default. Set SECRET_KEY in the "
            'environment to a long random value, e.g. python -c "import secrets; '
            'print(secrets.token_hex(32))".'
        )


def _register_blueprints(app: Flask) -> None:
    from crm.activities.views import bp as activities_bp
    from crm.api.views import bp as api_bp
    from crm.audit.views import bp as audit_bp
    from crm.auth.profile import bp as profile_bp
    from crm.auth.views import bp as auth_bp
    from crm.contacts.views import bp as contacts_bp
    from crm.exports.views import bp as exports_bp
    from crm.i18n.views import bp as i18n_bp
    from crm.imports.views import bp as imports_bp
    from crm.localities.views import bp as localities_bp
    from crm.partnerships.board_views import bp as board_bp
    from crm.partnerships.stage_views import bp as stages_bp
    from crm.partnerships.views import bp as partnerships_bp
    from crm.reports.views import bp as reports_bp
    from crm.search.views import bp as search_bp
    from crm.sectors.views import bp as sectors_bp
    from crm.security import csrf
    from crm.sharing.views import bp as sharing_bp
    from crm.tasks.views import bp as tasks_bp
    from crm.users.views import bp as users_bp

    for blueprint in (
        auth_bp,
        board_bp,
        partnerships_bp,
        localities_bp,
        sectors_bp,
        stages_bp,
        reports_bp,
        tasks_bp,
        contacts_bp,
        activities_bp,
        search_bp,
        profile_bp,
        sharing_bp,
        users_bp,
        audit_bp,
        imports_bp,
        exports_bp,
        i18n_bp,
    ):
        app.register_blueprint(blueprint)
    # The API authenticates with bearer tokens, never cookies, so CSRF does not apply to it.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)


def _register_template_helpers(app: Flask) -> None:
    from crm import presentation
    from crm.partnerships import fragments
    from crm.tasks.rows import TaskRows, due_label

    presentation.init_app(app)
    for fragment in (
        fragments.locality,
        fragments.pairing_names,
        fragments.status_badge,
        fragments.sector_tags,
        fragments.overdue_flag,
    ):
        app.add_template_global(fragment)
    app.add_template_global(TaskRows, "task_rows")
    app.add_template_global(due_label)


def _register_error_pages(app: Flask) -> None:
    from crm import error_pages

    error_pages.init_app(app)


def _register_commands(app: Flask) -> None:
    from crm.auth.cli import users_cli
    from crm.backup.cli import backup_cli
    from crm.demo.cli import demo_cli
    from crm.imports.cli import import_cli
    from crm.migrations_cli import db_cli
    from crm.reports.cli import reports_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(import_cli)
