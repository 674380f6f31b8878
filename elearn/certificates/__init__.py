from elearn.certificates.views import bp

__all__ = ["bp"]
