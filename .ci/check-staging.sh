#!/usr/bin/env bash
#
# Copyright The crdt-memory authors
# SPDX-License-Identifier: Apache-2.0
#

# Checks a locally staged release (docs/releasing.md): every published artifact has its jar, sources
# and javadoc jars and a POM naming its license, scm and developers; the BOM lists every one of them;
# the applications, the benchmarks and the parent POM are not there.
# Usage: check-staging.sh [DIR]   (default: target/central-staging, else target/central-deferred)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-}
if [ -z "$dir" ]; then
  # a release version is staged in central-staging; a -SNAPSHOT one only in central-deferred
  dir=target/central-staging
  [ -d "$dir/io" ] || dir=target/central-deferred
fi
base=$dir/io/github/crdtmemory
[ -d "$base" ] || { echo "check-staging: nothing staged under $dir" >&2; exit 1; }

fail=0
problem() { echo "check-staging: $*" >&2; fail=1; }
bom=
published=()
for vdir in "$base"/*/*/; do
  vdir=${vdir%/}
  version=${vdir##*/}
  a=$(basename "$(dirname "$vdir")")
  pom=$vdir/$a-$version.pom
  [ -f "$pom" ] || { problem "$a: no POM"; continue; }
  for element in licenses scm developers; do
    grep -q "<$element>" "$pom" || grep -q "<$element " "$pom" || problem "$a: its POM has no <$element>"
  done
  grep -q "<parent>" "$pom" && problem "$a: its POM names a parent (not published)"
  if grep -q "<packaging>pom</packaging>" "$pom"; then
    [ "$a" = crdt-bom ] && bom=$pom
    echo "check-staging: $a $version: pom"
    continue
  fi
  published+=("$a")
  for suffix in "" -sources -javadoc; do
    [ -f "$vdir/$a-$version$suffix.jar" ] || problem "$a: no $a-$version$suffix.jar"
  done
  echo "check-staging: $a $version: $(cd "$vdir" && ls -- *.jar *.json *.xml 2>/dev/null | grep -v maven-metadata | tr '\n' ' ')"
done
for a in crdt-memory-parent crdt-cli crdt-bench example-spring-ai-memory-server; do
  [ -e "$base/$a" ] && problem "$a is staged but must not be published"
done
if [ -z "$bom" ]; then
  problem "no crdt-bom POM staged"
else
  for a in "${published[@]}"; do
    grep -q "<artifactId>$a</artifactId>" "$bom" || problem "the BOM does not list $a"
  done
fi
[ "${#published[@]}" -gt 0 ] || problem "no jar artifact staged"
if [ "$fail" = 0 ]; then
  echo "check-staging: OK, ${#published[@]} jar artifacts and the BOM in $dir"
fi
exit "$fail"
