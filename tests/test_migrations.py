"""`flask db upgrade` from empty gives the same schema as the models (the test database is built by the migrations)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_reference_data_is_loaded_by_migration(app):
    from app.modules.regions.operations import all_regions, mainland_provinces

    regions = all_regions()
    assert len([r for r in regions if r.is_province]) == 34 and len(mainland_provinces()) == 31
    assert {"370100", "440300", "540200", "650500"} <= {r.code for r in regions}
    assert all(r.name_en for r in regions)
