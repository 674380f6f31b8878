from elearn.notices.views import bp

__all__ = ["bp"]
