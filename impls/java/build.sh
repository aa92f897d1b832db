#!/usr/bin/env bash
# Builds concbench-java into OUT with the JDK that find-jdk.sh picks (>= 21), JDK only:
#   OUT/concbench-java.jar   the program (java -jar OUT/concbench-java.jar <workload> ...)
#   OUT/concbench-java       a launcher that runs the jar with that JDK's java
#   OUT/test-classes         with --tests: the conformance test (concbench.ConformanceTest)
# Usage: impls/java/build.sh [--tests] OUT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

tests=false
if [ "${1:-}" = "--tests" ]; then tests=true; shift; fi
if [ $# -ne 1 ]; then echo "usage: $0 [--tests] OUT" >&2; exit 2; fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
jdk=$("$here/find-jdk.sh")

rm -rf "$out/classes" "$out/test-classes"
# -Xlint:all -Werror: warnings are errors; --release 21: the oldest JDK that runs it.
javac=("$jdk/bin/javac" --release 21 -Xlint:all -Werror -encoding UTF-8)
"${javac[@]}" -d "$out/classes" $(find "$here/src" -name '*.java' | sort)
"$jdk/bin/jar" --create --file "$out/concbench-java.jar" --main-class concbench.Main -C "$out/classes" .
printf '#!/bin/sh\nexec %q -jar %q "$@"\n' "$jdk/bin/java" "$out/concbench-java.jar" > "$out/concbench-java"
chmod +x "$out/concbench-java"

if $tests; then
  "${javac[@]}" -cp "$out/concbench-java.jar" -d "$out/test-classes" $(find "$here/test" -name '*.java' | sort)
fi
