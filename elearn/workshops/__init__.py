from elearn.workshops.views import bp

__all__ = ["bp"]
