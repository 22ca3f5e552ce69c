# dangjian — two commands: `make demo` (set up, generate the demo county once, serve) and `make test`.
# Everything is installed from the package registries at set-up time: Python packages pinned with hashes in
# requirements.lock, front-end assets pinned in package-lock.json. Nothing to do by hand.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SITE := $(VENV)/lib/python3.11/site-packages

.PHONY: demo test setup serve lint lock bench browser fonts rules-native clean

demo: setup
	$(VENV)/bin/dangjian demo
	PORT=$(PORT) $(VENV)/bin/dangjian serve

serve: setup
	PORT=$(PORT) $(VENV)/bin/dangjian serve

setup: $(VENV)/.installed node_modules/.installed fonts rules-native

# Charts in the written reports (.docx) are drawn with matplotlib and need a Chinese font (Debian's Noto CJK).
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fontconfig) || echo "未能安装中文字体 fonts-noto-cjk：报告图表中的中文将无法显示"

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	# The project itself runs from the work tree: a .pth entry and the `dangjian` command.
	echo "$(CURDIR)" > $(SITE)/dangjian-worktree.pth
	printf '#!%s\nimport sys\nfrom dangjian.cli import main\nsys.exit(main())\n' "$(CURDIR)/$(PY)" > $(VENV)/bin/dangjian
	chmod +x $(VENV)/bin/dangjian
	touch $@

# The rule engine compiled with Cython (about 1.5 minutes once; used only while it matches the sources).
rules-native: $(VENV)/.installed
	@$(PY) -c "from dangjian.rules.native import main; main(['build'])"

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's Chromium (never a downloaded browser).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

test: setup browser
	$(VENV)/bin/ruff check dangjian tests bench
	$(VENV)/bin/pytest -n 2 -q

lint: setup
	$(VENV)/bin/ruff check dangjian tests bench

# Regenerate the lock after changing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 -o requirements.lock

bench: setup
	$(PY) bench/people_list.py

clean:
	rm -rf $(VENV) node_modules var/static dangjian/rules/_compiled
