#!/usr/bin/env bash
# Prints the home of a JDK >= 21 (virtual threads), looking at the javac on PATH, then at
# $JAVA_HOME, then at /usr/lib/jvm/* (newest first). With none: one line on stderr, exit 2.
set -euo pipefail

# The feature version of the javac in JDK home $1 (25 for "javac 25.0.3"), or nothing.
feature() {
  [ -x "$1/bin/javac" ] && [ -x "$1/bin/java" ] || return 0
  "$1/bin/javac" -version 2>&1 | sed -n 's/^javac \([0-9][0-9]*\).*/\1/p' | head -n 1
}

candidates=()
if command -v javac >/dev/null; then
  candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
fi
if [ -n "${JAVA_HOME:-}" ]; then candidates+=("$JAVA_HOME"); fi
while IFS= read -r dir; do candidates+=("$dir"); done < <(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -rV)

for home in "${candidates[@]}"; do
  version=$(feature "$home")
  if [ -n "$version" ] && [ "$version" -ge 21 ]; then
    echo "$home"
    exit 0
  fi
done
echo "concbench-java: no JDK >= 21 found (looked at javac on PATH, \$JAVA_HOME, /usr/lib/jvm/*); install JDK 21 or later (Eclipse Temurin from adoptium.net; Debian 13: apt-get install openjdk-21-jdk-headless) and set JAVA_HOME to it" >&2
exit 2
