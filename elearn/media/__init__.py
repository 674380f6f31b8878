from elearn.media.views import bp

__all__ = ["bp"]
