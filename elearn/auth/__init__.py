from elearn.auth.views import bp

__all__ = ["bp"]
