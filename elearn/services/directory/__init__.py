"""Staff as a viewer may see them: lists, details, and the administrators' changes (grants,
deactivation), each through services.visibility."""
