# Shortcuts for the scripts in scripts/ (which work without make too).
.PHONY: install demo test lint

install:
	scripts/setup.sh

demo:
	scripts/demo.sh

test:
	scripts/test.sh

lint: install
	.venv/bin/ruff check .
