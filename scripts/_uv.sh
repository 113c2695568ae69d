# Sourced by scripts/run and scripts/test: finds uv, or bootstraps it with pip into .tools/.
# A machine with only Python 3.11+ is enough.
UV="$(command -v uv || true)"
if [ -z "$UV" ]; then
  if [ ! -x .tools/bin/uv ]; then
    echo "uv not found: installing it into .tools/ with pip (once)…" >&2
    PY=""
    # `command -v` is not enough: a pyenv shim exists for versions that are not selected,
    # so ask each candidate to run and to be 3.11 or newer.
    for candidate in python3.13 python3.12 python3.11 python3; do
      if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
        PY="$candidate"
        break
      fi
    done
    if [ -z "$PY" ]; then
      echo "error: Python 3.11 or newer is needed to bootstrap uv" >&2
      exit 1
    fi
    rm -rf .tools
    "$PY" -m venv .tools
    .tools/bin/pip install --quiet --disable-pip-version-check uv
  fi
  UV="$PWD/.tools/bin/uv"
fi
export UV
