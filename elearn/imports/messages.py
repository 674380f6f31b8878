"""Message ids of the import planners, marked for extraction and translated where they are shown."""


def N_(message: str) -> str:
    """pybabel's keyword for "extract this, translate it later": the planners have no Flask to do it."""
    return message
