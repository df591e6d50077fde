# The two commands a person needs: `make lab` and `make test`. Everything else is for maintainers.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb) $(wildcard case_studies/*.ipynb))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg --nbval-cell-timeout 300
PORT ?= 8888
WORKSPACE ?= workspace
# JupyterLab refuses to run as root without --allow-root
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: help install datasets lab instructor dashboard test test-unit test-notebooks test-browser test-engines student course notebooks bench bench-engines clean

help:
	@echo "make lab        set up .venv and open JupyterLab on your own workspace (workspace/, never overwritten)"
	@echo "make test       set up .venv, run the unit tests, then nbval over every notebook"
	@echo "make instructor JupyterLab on the instructor copies in notebooks/ (solutions visible)"
	@echo "make test-browser  every lesson run in JupyterLab in headless chromium; screenshots in build/screenshots/"
	@echo "make test-engines  the transaction-log functions on Polars, DuckDB, Parquet and Spark against pandas"
	@echo "make dashboard  the instructor's retention dashboard (Voila) for live demos"
	@echo "make student    student copies without solutions, in build/student/"
	@echo "make course     the lessons as an HTML site that works offline, in build/site/"
	@echo "make notebooks  re-execute and normalize the committed notebooks (after a change)"
	@echo "make datasets   check that the shipped synthetic data match their generators"
	@echo "make bench      benchmarks against the field's libraries (minutes)"

$(STAMP): requirements.txt requirements-test.txt pyproject.toml
	@echo "== Setting up $(VENV) (the first time takes about two minutes) =="
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "== [1/2] Installing the pinned packages of requirements.txt =="
	set -o pipefail; $(PY) -m pip install --disable-pip-version-check --progress-bar off -r requirements.txt \
		-r requirements-test.txt | { grep --line-buffered -E "^(Collecting|Installing|Successfully)" || true; }
	@echo "== [2/2] Installing retention_kit (editable) =="
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)
	@echo "== $(VENV) is ready =="

# JupyterLab's settings for this course (widget state saved with a notebook, no news pop-ups)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_SETTINGS): tools/jupyterlab_overrides.json $(STAMP)
	@mkdir -p $(dir $@)
	cp $< $@

install: $(STAMP) $(LAB_SETTINGS)

datasets: $(STAMP)
	$(PY) tools/build_datasets.py --check

# instructors: the retention dashboard for live demos (Voila; a template that loads nothing from a CDN)
dashboard: $(STAMP) datasets
	JUPYTER_PATH="$(CURDIR)/dashboards/share" $(VENV)/bin/voila dashboards/retention_dashboard.ipynb \
		--template=retention --port=$(PORT) --Voila.ip=127.0.0.1

# students: their own copies, made from the student release; an existing file is never overwritten
lab: $(STAMP) $(LAB_SETTINGS) datasets student
	$(PY) tools/workspace.py --release build/student --workspace $(WORKSPACE)
	$(VENV)/bin/jupyter lab --port $(PORT) $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)/$(WORKSPACE)" \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

# instructors: the committed copies with solutions (edits land in the repository)
instructor: $(STAMP) $(LAB_SETTINGS) datasets
	$(VENV)/bin/jupyter lab --port $(PORT) $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" \
		--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb

test: test-unit test-notebooks

test-unit: $(STAMP)
	$(PY) -m pytest tests -q --ignore=tests/browser --ignore=tests/engines
	$(PY) -m pytest --doctest-modules retention_kit -q -p no:cacheprovider

test-notebooks: $(STAMP)
	$(PY) -m pytest $(NBVAL) -q -p no:cacheprovider $(NOTEBOOKS)

# real-browser tests: JupyterLab in Debian's headless chromium (installed by .ci/run with apt when missing)
BROWSER_STAMP := $(VENV)/.installed-browser
$(BROWSER_STAMP): requirements-browser.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-browser.txt
	@touch $@

test-browser: $(STAMP) $(LAB_SETTINGS) $(BROWSER_STAMP)
	@test -x /usr/bin/chromium || test -n "$$RK_CHROMIUM" || { echo "install Debian's chromium: apt-get install chromium"; exit 1; }
	$(PY) -m pytest tests/browser -q -p no:cacheprovider
	@echo "screenshots and control latency: build/screenshots/"

# the same functions on every engine (Polars, DuckDB, Parquet, Spark local[2]; Spark needs Java 17)
ENGINES_STAMP := $(VENV)/.installed-engines
$(ENGINES_STAMP): requirements-engines.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-engines.txt
	@touch $@

test-engines: $(STAMP) $(ENGINES_STAMP)
	@command -v java >/dev/null || { echo "Spark needs Java 17: apt-get install openjdk-17-jre-headless"; exit 1; }
	$(PY) -m pytest tests/engines -q -p no:cacheprovider

student: $(STAMP)
	@rm -rf build/student
	$(PY) tools/make_student.py --out build/student $(NOTEBOOKS) >/dev/null
	@echo "student release: build/student/ ($(words $(NOTEBOOKS)) notebooks, solutions removed)"

course: $(STAMP)
	@rm -rf build/site
	$(PY) tools/build_site.py --out build/site $(NOTEBOOKS)
	@echo "open build/site/index.html"

notebooks: $(STAMP)
	$(PY) tools/run_notebooks.py $(NOTEBOOKS)

bench: $(STAMP)
	cd benchmarks && ../$(PY) bench_import.py && ../$(PY) bench_rfm_summary.py \
		&& ../$(PY) bench_rfm_summary.py --rows 5000000 --against duckdb && ../$(PY) bench_cohorts.py \
		&& ../$(PY) bench_clv.py && ../$(PY) bench_pareto_nbd.py && ../$(PY) bench_widgets.py

# the summary on a 50,000,000-purchase Parquet log (written to a temporary folder), DuckDB and Spark local[2]
bench-engines: $(STAMP) $(ENGINES_STAMP)
	cd benchmarks && ../$(PY) bench_engines.py

clean:
	rm -rf build
