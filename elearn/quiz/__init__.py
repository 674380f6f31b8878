from elearn.quiz.views import bp

__all__ = ["bp"]
