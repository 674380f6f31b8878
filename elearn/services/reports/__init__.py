"""Team completion and the KPI report, and their spreadsheets, charts and PDFs."""
