#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (never a downloaded browser).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-browser: installing Debian's chromium for the browser tests" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "ensure-browser: /usr/bin/chromium is missing and cannot be installed here." >&2
  exit 1
fi
echo "ensure-browser: WARNING: no /usr/bin/chromium; browser tests will be SKIPPED." >&2
echo "ensure-browser: install it with: sudo apt-get install chromium" >&2
