from alembic import op
revision="0001_init"
down_revision=None
def upgrade():
    b = [)
