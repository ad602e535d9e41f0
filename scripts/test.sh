#!/usr/bin/env bash
# The test command (README): sets up what the tests need on a fresh machine, then runs them.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --locked --all-targets "$@"
