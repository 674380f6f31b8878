from elearn.learn.views import bp

__all__ = ["bp"]
