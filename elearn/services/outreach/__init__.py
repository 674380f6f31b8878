"""Reaching staff on the platform's own initiative: the reminder scan, managers' digests, tomorrow's sessions,
new magazine issues, and announcements from a training office. Each reads other areas and tells people
through services.notices; none sends anything twice (a log, or a notice key per person)."""
