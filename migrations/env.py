"""Alembic environment for Flask-SQLAlchemy (Flask-Migrate): one database, SQLite or PostgreSQL."""

import logging
from logging.config import fileConfig

from alembic import context
from alembic.autogenerate import render
from alembic.operations import ops
from flask import current_app
from sqlalchemy import ForeignKeyConstraint
from sqlalchemy.types import TypeDecorator

config = context.config

# Log migration steps on the command line, but leave logging alone where a host (pytest, gunicorn, the app)
# has already configured it: fileConfig would replace its handlers.
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_engine_url() -> str:
    return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db


def get_metadata():
    return target_db.metadata


def render_item(type_, obj, autogen_context):
    # Write app-defined column types (e.g. UTCDateTime) as their plain SQL type, so a migration never
    # imports application code that may later change or disappear.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return render._repr_type(obj.impl, autogen_context)
    return False


def defer_cyclic_foreign_keys(script) -> None:
    """Tables that reference each other (use_alter foreign keys, e.g. process_models.current_version_id)
    get that key after both exist, and lose it before either is dropped: create_table would silently drop it.
    Batch operations, so SQLite (no ALTER ... ADD CONSTRAINT) can apply them too."""
    added, dropped = [], []
    for op_ in script.upgrade_ops.ops:
        if not isinstance(op_, ops.CreateTableOp):
            continue
        cyclic = [c for c in op_.columns if isinstance(c, ForeignKeyConstraint) and c.use_alter]
        # Filter by identity: `==` on SQLAlchemy columns builds SQL expressions, so list.remove() breaks.
        op_.columns[:] = [c for c in op_.columns if not any(c is fk for fk in cyclic)]
        for fk in cyclic:
            added.append(ops.ModifyTableOps(op_.table_name, [ops.CreateForeignKeyOp.from_constraint(fk)]))
            dropped.append(ops.ModifyTableOps(op_.table_name, [ops.DropConstraintOp.from_constraint(fk)]))
    script.upgrade_ops.ops.extend(added)
    script.downgrade_ops.ops[:0] = dropped


def _options(conf_args: dict) -> dict:
    # SQLite cannot ALTER most things; batch mode rebuilds tables there and is a no-op wrapper on PostgreSQL.
    return {"render_as_batch": True, "compare_type": True, "render_item": render_item, **conf_args}


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=get_metadata(),
        literal_binds=True,
        **_options({}),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def process_revision_directives(context, revision, directives):
        # An autogenerate run with no model changes writes no empty migration file.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")
            else:
                defer_cyclic_foreign_keys(script)

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)

    with get_engine().connect() as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **_options(conf_args))
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
