# Sourced by scripts/run and scripts/test: finds uv, or bootstraps it with pip into .tools/.
# A machine with only Python 3.11+ is enough.
UV="$(command -v uv || true)"
if [ -z "$UV" ]; then
  if [ ! -x .tools/bin/uv ]; then
    echo "uv not found: installing it into .tools/ with pip (once)…" >&2
    PY="$(command -v python3.13 || command -v python3.12 || command -v python3.11 || command -v python3)"
    "$PY" -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check uv
  fi
  UV="$PWD/.tools/bin/uv"
fi
export UV
