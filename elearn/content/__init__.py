"""Loading and validating courses/ and quizzes/ into frozen dataclasses. No Flask, no SQLAlchemy."""
