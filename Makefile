# Conveniences; the README's two commands are scripts/run and scripts/test.
.PHONY: run test lint ci
run:
	./scripts/run
test:
	./scripts/test
lint:
	uv run ruff check . && uv run ruff format --check . && uv run mypy
ci:
	./.ci/run
