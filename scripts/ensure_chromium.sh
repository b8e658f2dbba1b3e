#!/usr/bin/env bash
# Make Debian's chromium available for the headless report test (make test runs this).
# Installs it with apt-get when it is missing and we are root; otherwise says why
# not and exits 0, so the test itself reports SKIPPED with that reason.
# In CI (CI=true) a missing browser is an error: the report test must really run.
# A CJK font is added too when possible, so the screenshot shows the Chinese titles.
set -uo pipefail

CHROMIUM="${CMO_CIO_CHROMIUM:-/usr/bin/chromium}"
export DEBIAN_FRONTEND=noninteractive

can_apt_install() {
  [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1
}

apt_updated=no
apt_install() {
  if [ "$apt_updated" = no ]; then
    apt-get update -qq >&2 || return 1
    apt_updated=yes
  fi
  apt-get install -y -qq --no-install-recommends "$@" >&2
}

fail_or_skip() {
  if [ "${CI:-}" = "true" ]; then
    echo "ensure_chromium: $1 (required in CI)" >&2
    exit 1
  fi
  echo "ensure_chromium: $1; the headless report test will be skipped" >&2
  exit 0
}

if [ ! -x "$CHROMIUM" ]; then
  can_apt_install || fail_or_skip "$CHROMIUM is missing and installing it needs root and apt-get"
  echo "ensure_chromium: installing chromium with apt-get" >&2
  apt_install chromium || fail_or_skip "apt-get could not install chromium"
  [ -x "$CHROMIUM" ] || fail_or_skip "chromium was installed but $CHROMIUM is still missing"
fi

# Optional: without a CJK font the Chinese titles show as empty boxes in screenshots.
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ] \
  && can_apt_install; then
  apt_install fonts-wqy-zenhei || echo "ensure_chromium: no CJK font installed" >&2
fi
exit 0
