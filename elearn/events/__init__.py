from elearn.events import manage  # noqa: F401  (registers the organisers' routes on bp)
from elearn.events.views import bp

__all__ = ["bp"]
