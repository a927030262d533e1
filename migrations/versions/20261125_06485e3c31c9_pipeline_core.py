"""pipeline core

Revision ID: 06485e3c31c9
Revises:
Create Date: 2026-11-25 00:35:29.839421+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '06485e3c31c9'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('localities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('subdivision_code', sa.String(length=10), nullable=False),
    sa.Column('name_folded', sa.String(length=200), nullable=False),
    sa.Column('search_folded', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_localities')),
    sa.UniqueConstraint('country_code', 'kind', 'name_folded', name=op.f('uq_localities_country_code_kind_name_folded'))
    )
    with op.batch_alter_table('localities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_localities_country_code'), ['country_code'], unique=False)

    op.create_table('sectors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sectors')),
    sa.UniqueConstraint('name', name=op.f('uq_sectors_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_sectors_slug'))
    )
    op.create_table('stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stages')),
    sa.UniqueConstraint('key', name=op.f('uq_stages_key')),
    sa.UniqueConstraint('position', name=op.f('uq_stages_position'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('partnerships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('locality_a_id', sa.Integer(), nullable=False),
    sa.Column('locality_b_id', sa.Integer(), nullable=False),
    sa.Column('pair_key', sa.String(length=41), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('first_contact_on', sa.Date(), nullable=True),
    sa.Column('target_signing_on', sa.Date(), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('stage_entered_at', sa.DateTime(), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(), nullable=False),
    sa.Column('title_folded', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('locality_a_id <> locality_b_id', name=op.f('ck_partnerships_two_localities')),
    sa.ForeignKeyConstraint(['locality_a_id'], ['localities.id'], name=op.f('fk_partnerships_locality_a_id_localities')),
    sa.ForeignKeyConstraint(['locality_b_id'], ['localities.id'], name=op.f('fk_partnerships_locality_b_id_localities')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_partnerships_owner_id_users')),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_partnerships_stage_id_stages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnerships'))
    )
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partnerships_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnerships_last_activity_at'), ['last_activity_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnerships_locality_a_id'), ['locality_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnerships_locality_b_id'), ['locality_b_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnerships_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_partnerships_stage_activity', ['stage_id', 'status', 'last_activity_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnerships_status'), ['status'], unique=False)
        batch_op.create_index('uq_partnerships_open_pair', ['pair_key'], unique=True, sqlite_where=sa.text("status <> 'dropped'"), postgresql_where=sa.text("status <> 'dropped'"))

    op.create_table('partnership_sectors',
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('sector_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_partnership_sectors_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sector_id'], ['sectors.id'], name=op.f('fk_partnership_sectors_sector_id_sectors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('partnership_id', 'sector_id', name=op.f('pk_partnership_sectors'))
    )
    with op.batch_alter_table('partnership_sectors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partnership_sectors_sector_id'), ['sector_id'], unique=False)

    op.create_table('stage_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('from_stage_id', sa.Integer(), nullable=True),
    sa.Column('to_stage_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_stage_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['from_stage_id'], ['stages.id'], name=op.f('fk_stage_changes_from_stage_id_stages')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_stage_changes_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_stage_id'], ['stages.id'], name=op.f('fk_stage_changes_to_stage_id_stages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_changes'))
    )
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stage_changes_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index('ix_stage_changes_partnership_changed', ['partnership_id', 'changed_at'], unique=False)



    _seed_reference_data()


def _seed_reference_data() -> None:
    """The six stages and the sectors of the domain, so a fresh database is usable at once.

    A copy as of this revision, on purpose: a migration must not change when the app's defaults do.
    """
    stages = sa.table(
        "stages", sa.column("key", sa.String), sa.column("name", sa.String),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(stages, [
        {"key": "prospect", "name": "Prospect", "position": 1},
        {"key": "exploratory_talks", "name": "Exploratory talks", "position": 2},
        {"key": "agreement_in_principle", "name": "Agreement in principle", "position": 3},
        {"key": "memorandum_drafting", "name": "Memorandum drafting", "position": 4},
        {"key": "memorandum_review", "name": "Memorandum under review", "position": 5},
        {"key": "memorandum_signed", "name": "Memorandum signed", "position": 6},
    ])
    sectors = sa.table("sectors", sa.column("slug", sa.String), sa.column("name", sa.String))
    op.bulk_insert(sectors, [
        {"slug": "economics-and-trade", "name": "Economics and trade"},
        {"slug": "investment", "name": "Investment"},
        {"slug": "urban-infrastructure", "name": "Urban infrastructure"},
        {"slug": "water-resources-management", "name": "Water resources management"},
        {"slug": "agriculture", "name": "Agriculture and agri-processing"},
        {"slug": "education", "name": "Education"},
        {"slug": "culture", "name": "Culture"},
        {"slug": "tourism", "name": "Tourism"},
        {"slug": "ecology-and-sustainable-development",
         "name": "Ecology and sustainable development"},
        {"slug": "renewable-energy", "name": "Renewable energy"},
        {"slug": "logistics", "name": "Logistics"},
        {"slug": "industry", "name": "Industry"},
        {"slug": "innovation-and-technology", "name": "Innovation and technology"},
    ])


def downgrade() -> None:
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_changes_partnership_changed')
        batch_op.drop_index(batch_op.f('ix_stage_changes_changed_at'))

    op.drop_table('stage_changes')
    with op.batch_alter_table('partnership_sectors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partnership_sectors_sector_id'))

    op.drop_table('partnership_sectors')
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.drop_index('uq_partnerships_open_pair', sqlite_where=sa.text("status <> 'dropped'"), postgresql_where=sa.text("status <> 'dropped'"))
        batch_op.drop_index(batch_op.f('ix_partnerships_status'))
        batch_op.drop_index('ix_partnerships_stage_activity')
        batch_op.drop_index(batch_op.f('ix_partnerships_owner_id'))
        batch_op.drop_index(batch_op.f('ix_partnerships_locality_b_id'))
        batch_op.drop_index(batch_op.f('ix_partnerships_locality_a_id'))
        batch_op.drop_index(batch_op.f('ix_partnerships_last_activity_at'))
        batch_op.drop_index(batch_op.f('ix_partnerships_created_at'))

    op.drop_table('partnerships')
    op.drop_table('users')
    op.drop_table('stages')
    op.drop_table('sectors')
    with op.batch_alter_table('localities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_localities_country_code'))

    op.drop_table('localities')
