# Two commands for everyone:
#   make lab    set up .venv (when missing or older than the requirements) and open the course
#   make test   set up .venv with the test tools too, then run every test and every lesson
# 日本語版: make lab-ja (the Japanese edition, notebooks/ja/, in a Japanese JupyterLab);
#   make student-lab-ja (the Japanese student edition, student/ja/).
# Students: make student-lab (set up .venv, write the lessons student/ lacks, open JupyterLab
#   there; a lesson already in student/ holds the student's answers and is never overwritten).
# Teachers: make student (rewrite the whole student edition in student/, with nbgrader's
#   preprocessors).
# Maintainers: make check (the unit tier, under a minute), make outputs (rebuild the lessons'
#   committed outputs), make lint.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Each stamp is newer than the requirements it installed; editing a requirements file re-installs.
LEARNER := $(VENV)/.installed-learner
DEV := $(VENV)/.installed-dev
# The learner's packages and nbgrader, whose preprocessors write the student edition (its pin
# is in requirements-dev.txt), without the rest of the test tools.
STUDENT := $(VENV)/.installed-student

.PHONY: lab lab-ja student-lab student-lab-ja check test student outputs lint clean

$(LEARNER): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(DEV): $(LEARNER) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

$(STUDENT): $(LEARNER) requirements-dev.txt
	$(BIN)/python -m pip install --quiet "$$(grep -E '^nbgrader==' requirements-dev.txt)"
	touch $@

# JupyterLab refuses to run as root unless told; containers and course VMs often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(LEARNER)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

# JupyterLab's menus in Japanese (its language pack, from requirements.txt): a settings folder of
# its own in .venv that says locale ja_JP, so the English `make lab` stays English.
JA_SETTINGS := $(VENV)/jupyterlab-settings-ja
JA_LAB := JUPYTERLAB_SETTINGS_DIR=$(abspath $(JA_SETTINGS))

$(JA_SETTINGS): locale/ja/jupyterlab/translation.jupyterlab-settings
	mkdir -p $@/@jupyterlab/translation-extension
	cp $< $@/@jupyterlab/translation-extension/plugin.jupyterlab-settings

lab-ja: $(LEARNER) $(JA_SETTINGS)
	$(JA_LAB) $(BIN)/jupyter lab --ServerApp.root_dir=notebooks/ja $(ALLOW_ROOT)

# The lessons run from student/ itself: dqn_lib comes from .venv (installed editable above), the
# checkpoint from student/data/ (copied by make_student.py), the benchmark's results through
# dqn_lib.
student-lab: $(STUDENT)
	$(BIN)/python tools/make_student.py --keep
	$(BIN)/jupyter lab --ServerApp.root_dir=student $(ALLOW_ROOT)

student-lab-ja: $(STUDENT) $(JA_SETTINGS)
	$(BIN)/python tools/make_student.py --keep
	$(JA_LAB) $(BIN)/jupyter lab --ServerApp.root_dir=student/ja $(ALLOW_ROOT)

# The inner loop: the unit tier (no lesson, no browser, nothing slow), two workers.
check: $(DEV)
	$(BIN)/python -m pytest tests -m "not notebook and not browser and not slow" -n 2 --dist loadfile

# Everything: each lesson once (with its student edition's exercises), the browser, the slow
# tier; two workers, a test file (or a lesson, both editions) to each at a time.
test: $(DEV)
	bash tools/install_browser.sh
	$(BIN)/python -m pytest -n 2 --dist loadfile

student: $(STUDENT)
	$(BIN)/python tools/make_student.py

outputs: $(DEV)
	$(BIN)/python tools/build_outputs.py

lint: $(DEV)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# student/ is left alone: after make student-lab it holds a student's answers.
clean:
	rm -rf $(VENV) .pytest_cache
