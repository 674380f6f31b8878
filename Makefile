# Two commands: `make demo` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench bench-web bench-certificates bench-kpi bench-downloads bench-events bench-notices bench-media bench-scorm bench-week bench-scale translations clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --domain messages --directory translations --statistics

demo: install
	$(BIN)/elearn db upgrade
	$(BIN)/elearn content sync
	$(BIN)/elearn demo
	$(BIN)/elearn serve --host 127.0.0.1 --port 5000 --with-worker

test: install
	$(BIN)/ruff check elearn tests bench
	$(BIN)/pytest -q -n 2

bench: install
	$(BIN)/python bench/import_staff.py
bench-web: install
	$(BIN)/python bench/web_load.py
bench-certificates: install
	$(BIN)/python bench/certificate_render.py
bench-kpi: install
	$(BIN)/python bench/kpi_report.py
bench-downloads: install
	$(BIN)/python bench/downloads.py
bench-events: install
	$(BIN)/python bench/event_registration.py
bench-notices: install
	$(BIN)/python bench/notices.py
bench-media: install
	$(BIN)/python bench/video_serving.py
bench-scorm: install
	$(BIN)/python bench/scorm_commits.py
bench-week: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/learner_week.py
bench-scale: install
	$(BIN)/python bench/prefecture_scale.py

clean:
	rm -rf $(VENV) instance/*.sqlite3*
