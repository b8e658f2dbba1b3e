#!/usr/bin/env bash
# Make Java 17 available for the Spark engine (dbt-spark's session, pyspark): Debian's
# openjdk-17-jre-headless, installed with apt-get when `java` is missing and we are root.
# Otherwise says why not and exits 0, so the Spark tests report SKIPPED with that reason;
# in CI (CI=true) a missing Java is an error: the engine comparison must really run.
set -uo pipefail
export DEBIAN_FRONTEND=noninteractive

fail_or_skip() {
  if [ "${CI:-}" = "true" ]; then
    echo "ensure_java: $1 (required in CI)" >&2
    exit 1
  fi
  echo "ensure_java: $1; the Spark engine cannot run here" >&2
  exit 0
}

if ! command -v java >/dev/null 2>&1; then
  [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 \
    || fail_or_skip "java is missing and installing it needs root and apt-get"
  echo "ensure_java: installing openjdk-17-jre-headless with apt-get" >&2
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends \
      openjdk-17-jre-headless; } >&2 || fail_or_skip "apt-get could not install Java"
  command -v java >/dev/null 2>&1 || fail_or_skip "Java was installed but is not on PATH"
fi
exit 0
