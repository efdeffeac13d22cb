#!/usr/bin/env bash
# Browser end-to-end tests, then the Lighthouse check, against `lectern serve --demo`.
#
#   tests/e2e/run.sh
#
# Env: LECTERN_BIN (a built server; skips `cargo build`), CHROMIUM_PATH / CHROME_PATH
# (default /usr/bin/chromium), E2E_SCREENSHOTS, LIGHTHOUSE_MIN (default 95), E2E_SKIP_LIGHTHOUSE=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

CHROMIUM="${CHROMIUM_PATH:-${CHROME_PATH:-/usr/bin/chromium}}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$CHROMIUM" = /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
    echo "== installing Debian chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "no Chromium at $CHROMIUM: install it (apt-get install chromium) or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi
export CHROMIUM_PATH="$CHROMIUM" CHROME_PATH="$CHROMIUM"

echo "== npm ci (tests/e2e)"
npm ci --prefix tests/e2e --no-audit --no-fund

if [ -z "${LECTERN_BIN:-}" ]; then
  echo "== cargo build --release"
  cargo build --release --locked
fi

echo "== browser flows"
node --test --test-concurrency=1 --test-reporter=spec tests/e2e/

if [ -z "${E2E_SKIP_LIGHTHOUSE:-}" ]; then
  echo "== lighthouse"
  node tests/e2e/lighthouse.mjs
fi
