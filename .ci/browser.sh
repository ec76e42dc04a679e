#!/usr/bin/env bash
# What tests/test_browser.py (pytest -m browser) needs, installed from Debian and PyPI only:
#   chromium + chromium-driver  Debian's browser and its matching chromedriver (same version, no download
#                               of a browser build of its own — this machine has no outside network)
#   fonts-wqy-microhei          a CJK font, so screenshots show Chinese instead of empty boxes
#   selenium                    the WebDriver client (pip, into the Python that runs the tests)
# Idempotent: skips what is already there. Usage: PYTHON=/path/to/python bash .ci/browser.sh
set -euo pipefail

PYTHON="${PYTHON:-python3}"
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ "${#need[@]}" -gt 0 ]; then
  echo "browser.sh: apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! "$PYTHON" -c "import selenium" >/dev/null 2>&1; then
  echo "browser.sh: pip install selenium"
  "$PYTHON" -m pip install -q "selenium>=4.20"
fi

chromium --version 2>/dev/null | head -1 || true
chromedriver --version | head -1
"$PYTHON" -c "import selenium; print('selenium', selenium.__version__)"
