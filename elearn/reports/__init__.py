from elearn.reports.views import bp

__all__ = ["bp"]
