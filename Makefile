# PyTorch 101, Rebuilt: one command per job.
#
#   make book        build the HTML book into _build/html, and its live site into _build/html/lite
#   make test        engine tests (on the pinned numpy and on numpy 2.0.2), strict nbval on every
#                    notebook, real-browser tests of the book and of every chapter run live
#   make notebooks   re-execute every notebook in book/ in place (stored outputs follow the engine)
#   make lab         JupyterLab on the book, with the same environment
#   make bench       measure into benchmarks/results.json (needs torch) and refresh the pages quoting it
#   make serve       serve the built book on http://127.0.0.1:8000
#   make system-deps install graphviz, npm and chromium with apt-get (as root) when missing
#   make clean       remove the build, the screenshots and the vendored browser files
#
# Everything runs from .venv, which `make venv` creates from requirements.txt plus
# the engine itself (`pip install -e .`). System packages (graphviz, npm, chromium)
# are installed with apt-get when missing and make runs as root; otherwise make says
# how to install them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.make-installed

VENDOR := book/_vendor
THIRD_PARTY := book/_static/third_party
VENDOR_STAMP := $(THIRD_PARTY)/.make-installed

# The oldest numpy the engine supports, the one Pyodide (the live book) ships. Its venv holds
# only numpy and reads everything else (pytest, hypothesis, torch) from .venv.
NUMPY_MIN := 2.0.2
VENV_NUMPY_MIN := .venv-numpy2.0
NUMPY_MIN_STAMP := $(VENV_NUMPY_MIN)/.make-installed

BUILD := _build
HTML := $(BUILD)/html
BOOK_STAMP := $(BUILD)/.make-built

# pytest workers; notebooks and the browser test each stay on one worker (--dist loadfile).
JOBS ?= 2
PYTEST_ARGS ?=
NOTEBOOKS := $(sort $(wildcard book/*.ipynb))

# Everything a build reads. A change to any of these rebuilds the whole book, because a
# change to the engine changes the output of notebooks whose source did not change.
BOOK_INPUTS := _config.yml _toc.yml pyproject.toml $(shell find book engine -type f \
	-not -path '$(VENDOR)/node_modules/*' -not -path '$(THIRD_PARTY)/*' \
	-not -path '*/.ipynb_checkpoints/*' -not -path '*/__pycache__/*' -not -name '*.pyc' 2>/dev/null)

# check-system-deps REQUIRED OPTIONAL: each word is command:apt-package. Missing packages are
# installed in one apt-get call when running as root; otherwise a missing REQUIRED package
# stops make with the command to run, and a missing OPTIONAL one only prints it.
define check-system-deps
	@required=""; optional=""; \
	for pair in $(1); do command -v "$${pair%%:*}" >/dev/null 2>&1 || required="$$required $${pair#*:}"; done; \
	for pair in $(2); do command -v "$${pair%%:*}" >/dev/null 2>&1 || optional="$$optional $${pair#*:}"; done; \
	missing="$$required$$optional"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	case "$$missing" in *chromium*) missing="$$missing fonts-dejavu-core";; esac; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "make: installing system packages:$$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	elif [ -n "$$required" ]; then \
		echo "make: missing system packages:$$missing"; \
		echo "      install them with:  sudo apt-get install$$missing   (or: sudo make system-deps)"; \
		exit 1; \
	else \
		echo "make: optional system packages missing:$$optional (the browser test will be skipped)"; \
		echo "      install them with:  sudo apt-get install$$optional   (or: sudo make system-deps)"; \
	fi
endef

BOOK_DEPS := dot:graphviz npm:npm
BROWSER_DEPS := chromium:chromium

.PHONY: help
help:
	@sed -n 's/^#   //p' Makefile

## Environments ####################################################################

.PHONY: venv
venv: $(VENV_STAMP)

$(VENV_STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# A .pth file puts .venv's packages after this venv's own, so its numpy wins and nothing else
# is installed twice.
$(NUMPY_MIN_STAMP): $(VENV_STAMP)
	rm -rf $(VENV_NUMPY_MIN)
	$(BIN)/python -m venv $(VENV_NUMPY_MIN)
	$(VENV_NUMPY_MIN)/bin/python -m pip install --quiet numpy==$(NUMPY_MIN)
	$(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > \
		"$$($(VENV_NUMPY_MIN)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/main-venv.pth"
	@touch $@

.PHONY: system-deps
system-deps:
	$(call check-system-deps,$(BOOK_DEPS) $(BROWSER_DEPS),)

.PHONY: book-system-deps test-system-deps
book-system-deps:
	$(call check-system-deps,$(BOOK_DEPS),)
test-system-deps:
	$(call check-system-deps,$(BOOK_DEPS),$(BROWSER_DEPS))

# MathJax and the Jupyter widget manager, from the npm registry at the versions pinned in
# book/_vendor/package-lock.json, copied into book/_static/third_party (git-ignored).
.PHONY: vendor
vendor: $(VENDOR_STAMP)

$(VENDOR_STAMP): $(VENDOR)/package.json $(VENDOR)/package-lock.json | book-system-deps
	cd $(VENDOR) && npm ci --silent
	rm -rf $(THIRD_PARTY)
	mkdir -p $(THIRD_PARTY)/mathjax $(THIRD_PARTY)/jupyter-widgets
	cp -R $(VENDOR)/node_modules/mathjax/es5/. $(THIRD_PARTY)/mathjax/
	cd $(THIRD_PARTY)/mathjax && rm -f latest.js node-main.js mml-*.js tex-mml-*.js tex-svg*.js tex-chtml-full*.js
	cp $(VENDOR)/node_modules/mathjax/LICENSE $(VENDOR)/node_modules/mathjax/package.json $(THIRD_PARTY)/mathjax/
	cd $(VENDOR)/node_modules/@jupyter-widgets/html-manager && \
		cp package.json dist/embed.js dist/embed.js.LICENSE.txt \
		   dist/*.woff dist/*.woff2 dist/*.ttf dist/*.eot dist/*.svg \
		   $(CURDIR)/$(THIRD_PARTY)/jupyter-widgets/
	@touch $@

## The book ########################################################################

.PHONY: book
book: $(BOOK_STAMP)
	@echo
	@echo "The book is in $(HTML). Open it with:"
	@echo "    make serve        then visit http://127.0.0.1:8000"
	@echo " or open file://$(CURDIR)/$(HTML)/index.html"

$(BOOK_STAMP): $(VENV_STAMP) $(VENDOR_STAMP) $(BOOK_INPUTS) | book-system-deps
	rm -rf $(HTML) $(BUILD)/.doctrees $(BUILD)/jupyter_execute $(BOOK_STAMP)
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	$(BIN)/python book/_tools/build_lite.py $(HTML)/lite
	@touch $@

.PHONY: serve
serve: $(BOOK_STAMP)
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(HTML) 8000

## Tests ###########################################################################

# The book is built first (it is the slow part, and the build is itself a test: -W -n,
# every notebook executed); the browser test then reuses that build.
.PHONY: test
test: test-system-deps $(VENV_STAMP) test-numpy-min $(BOOK_STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile \
		tests $(NOTEBOOKS) \
		--nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
		--nbval-cell-timeout 300 $(PYTEST_ARGS)

# The engine's own tests once more, on the oldest numpy it supports (about 30 s).
.PHONY: test-numpy-min
test-numpy-min: $(NUMPY_MIN_STAMP)
	$(VENV_NUMPY_MIN)/bin/python -c 'import numpy; assert numpy.__version__ == "$(NUMPY_MIN)", numpy.__version__'
	$(VENV_NUMPY_MIN)/bin/python -m pytest -n $(JOBS) -q -p no:cacheprovider tests \
		--ignore=tests/test_book_browser.py --ignore=tests/test_live_book.py --ignore=tests/test_post_claims.py

## Notebooks, JupyterLab, benchmarks ###############################################

.PHONY: notebooks
# ENGINE_RECORD_TORCH=1: where real torch is installed, chapters record its side of each
# comparison into book/torch_record.json, which builds without torch show (engine/recorded.py).
notebooks: $(VENV_STAMP) | book-system-deps
	ENGINE_RECORD_TORCH=1 $(BIN)/python book/_tools/execute_notebooks.py $(NOTEBOOKS)

LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
.PHONY: lab
# A fresh clone's notebooks are untrusted, and JupyterLab then shows their saved widgets as
# text until the cells run; trusting the book's own notebooks shows the saved views at once.
lab: $(VENV_STAMP)
	$(BIN)/jupyter trust $(NOTEBOOKS)
	$(BIN)/jupyter lab $(LAB_ROOT) --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/book

# The benchmarks write benchmarks/results.json (the reference run the book quotes; commit it,
# measured with torch installed), then the notebooks that read it are re-executed.
RESULTS_NOTEBOOKS = $(shell grep -l -E 'from benchmarks import [a-z_, ]*results|benchmarks\.results' $(NOTEBOOKS))
.PHONY: bench
bench: $(VENV_STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python book/_tools/execute_notebooks.py $(RESULTS_NOTEBOOKS)

## Housekeeping ####################################################################

.PHONY: clean
clean:
	rm -rf $(BUILD) tests/screenshots $(THIRD_PARTY) .pytest_cache
