#!/usr/bin/env bash
# Install the Debian packages the test suite needs. Idempotent: does nothing
# (not even `apt-get update`) when every package is already installed.
# pgvector is built separately by scripts/install-pgvector.sh.
set -euo pipefail

PACKAGES=(
  espeak-ng # spoken English/Mandarin test audio
  chromium  # browser tests
  fonts-wqy-microhei # Chinese glyphs in the console screenshots
)

export DEBIAN_FRONTEND=noninteractive

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "install-system-deps: all present (${PACKAGES[*]})"
  exit 0
fi

if [[ $EUID -ne 0 ]]; then
  echo "install-system-deps: missing ${missing[*]}; run as root to install" >&2
  exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-system-deps: done"
