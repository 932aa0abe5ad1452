#!/usr/bin/env bash
#
# Copyright The crdt-memory authors
# SPDX-License-Identifier: Apache-2.0
#

# Reproducible builds: rebuilds the given modules from a copy of the source tree in another directory
# and checks that every jar comes out byte for byte as the build that called this script made it.
# crdt-bom's verify phase runs it after crdt-core and crdt-git (-Dreproducible.skip: not at all).
# Usage: check-reproducible.sh ROOT MAVEN LOCAL_REPOSITORY MODULE...
set -euo pipefail
root=$1 mvn=$2 repo=$3
shift 3
work=$root/target/reproducible

first_jars=0
for m in "$@"; do
  for jar in "$root/$m/target/"*.jar; do
    [ -e "$jar" ] && first_jars=$((first_jars + 1))
  done
done
if [ "$first_jars" = 0 ]; then
  echo "reproducible: skipped, no jar of $* in this build (build them in the same reactor)"
  exit 0
fi

rm -rf "$work"
mkdir -p "$work/src"
# the source tree as this build saw it, without build output, at another path (so a build that
# recorded its own directory would be caught too)
tar -C "$root" --exclude=.git --exclude=target --exclude=node_modules -cf - . | tar -C "$work/src" -xf -
modules=$(IFS=,; echo "$*")
if ! timeout 600 "$mvn" -B -q -o -f "$work/src/pom.xml" -Dmaven.repo.local="$repo" -pl "$modules" \
    -DskipTests -Dcds.skip -Dlicense.skip -Dreproducible.skip -Dcyclonedx.skip -Denforcer.skip \
    package > "$work/build.log" 2>&1; then
  tail -50 "$work/build.log" >&2
  echo "reproducible: the second build failed (log: $work/build.log)" >&2
  exit 1
fi

compared=0
differ=0
for m in "$@"; do
  for second in "$work/src/$m/target/"*.jar; do
    [ -e "$second" ] || continue
    name=${second##*/}
    first=$root/$m/target/$name
    if [ ! -e "$first" ]; then
      echo "reproducible: $m/$name is not in this build, not compared"
      continue
    fi
    compared=$((compared + 1))
    a=$(sha256sum < "$first" | cut -d' ' -f1)
    b=$(sha256sum < "$second" | cut -d' ' -f1)
    if [ "$a" = "$b" ]; then
      echo "reproducible: $m/$name sha256 $a, the same in both builds"
    else
      differ=$((differ + 1))
      echo "reproducible: $m/$name differs between two builds of the same sources:" >&2
      diff <(jar tvf "$first") <(jar tvf "$second") | head -20 >&2 || true
    fi
  done
done
if [ "$compared" = 0 ]; then
  echo "reproducible: no jar compared" >&2
  exit 1
fi
if [ "$differ" != 0 ]; then
  echo "reproducible: $differ of $compared jars differ (after a build without 'clean', stale classes" \
    "in target/ can cause this: run ./mvnw clean verify)" >&2
  exit 1
fi
rm -rf "$work/src"
echo "reproducible: $compared jars identical"
