from elearn.magazine import inbox, reader, studio  # noqa: F401  (register the views)
from elearn.magazine.blueprint import bp

__all__ = ["bp"]
