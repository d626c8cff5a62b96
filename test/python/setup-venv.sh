#!/usr/bin/env bash
# Create .venv (the Python tests' environment: pinned requirements, the real kimina-client,
# our SDK from client/python) unless it is already up to date. Bounded in time.
set -euo pipefail
cd "$(dirname "$0")/../.."
stamp_of() { cat test/python/requirements.txt client/python/pyproject.toml test/python/setup-venv.sh | sha256sum | cut -c1-16; }
stamp=".venv/.leanenv-$(stamp_of)"
[ -f "$stamp" ] && exit 0
# kimina-client 0.2.1 needs Python >= 3.12 (pydantic refuses its typing.TypedDict models on 3.11).
py=""
for c in python3.13 python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 python3; do
  if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then py="$c"; break; fi
done
[ -n "$py" ] || { echo "setup-venv: the Python tests need Python >= 3.12 (python3.12 or python3.13 on PATH)" >&2; exit 1; }
rm -rf .venv
"$py" -m venv .venv
timeout 900 .venv/bin/python -m pip install -q --disable-pip-version-check -r test/python/requirements.txt
timeout 300 .venv/bin/python -m pip install -q --disable-pip-version-check -e client/python
rm -f .venv/.leanenv-*
touch "$stamp"
