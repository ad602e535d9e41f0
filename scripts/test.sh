#!/usr/bin/env bash
# The test command (README): sets up what the tests need on a fresh machine, then runs them.
#  - Debian packages: docker.io (a real Docker Engine), busybox-static (the test image),
#    openssl (the test engine's TLS material), libxml2-utils (xmllint: CKL files checked
#    against DISA's checklist schema), chromium (the HTML report rendered headless).
#  - The third-party consumers every written document is fed to (tests/consumers.rs), by
#    scripts/consumers.sh into target/consumers: oscal-validate and compliance-trestle (PyPI,
#    a Python 3.12 venv), STIG Manager's checklist parser (npm). Skipped when already there.
#  - A private dockerd (own socket, data root, exec root; --iptables=false) with the test
#    containers; stopped and removed on exit, also when tests fail.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dockerd >/dev/null || need+=(docker.io)
[ -x /bin/busybox ] || command -v busybox >/dev/null || need+=(busybox-static)
command -v openssl >/dev/null || need+=(openssl)
command -v xmllint >/dev/null || need+=(libxml2-utils)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "warning: missing ${need[*]} (not root, not installing): engine tests will skip" >&2
  fi
fi

if ! scripts/consumers.sh; then
  [ -z "${CI:-}" ] || { echo "error: installing the consumers failed (required in CI)" >&2; exit 1; }
  echo "warning: the consumers are not installed: tests/consumers.rs will skip" >&2
fi

engine_dir=$(mktemp -d /tmp/oscal-stig-engine.XXXXXX)
cleanup() { scripts/docker-test-env.sh stop "$engine_dir" || true; }
trap cleanup EXIT
if command -v dockerd >/dev/null && [ "$(id -u)" = 0 ]; then
  # Assigned first, so a failed start stops here instead of running the tests without it.
  engine_env=$(scripts/docker-test-env.sh start "$engine_dir")
  eval "$engine_env"
fi

cargo test --locked --all-targets "$@"
