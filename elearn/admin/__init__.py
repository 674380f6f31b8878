from elearn.admin.views import bp

__all__ = ["bp"]
