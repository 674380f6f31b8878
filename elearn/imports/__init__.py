"""Bulk imports of the organisation tree and of staff from CSV or XLSX files: read, plan, then apply."""
