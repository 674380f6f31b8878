"""Pure rules over plain data: no Flask, no SQLAlchemy."""
