#!/usr/bin/env bash
#
# Copyright The crdt-memory authors
# SPDX-License-Identifier: Apache-2.0
#

# A user's build: resolves the published modules from their published (flattened) POMs, the BOM
# imported, and runs .ci/consumer's test on the class path that gives. The reactor resolves with this
# project's dependencyManagement; a user gets only what the published POMs say, so a version pinned
# only in management is lost there (crdt-mcp once gave users jackson-annotations 2.18, and the MCP SDK
# failed at its first use). crdt-bom's verify phase runs it with this build's artifacts, offline: they
# are laid out in a fresh local repository whose tail (read only) is the build's own
# (-Dconsumer.skip: not at all; skipped too with -DskipTests, as the runner of the consumer's tests is
# only fetched by a build that runs tests). With STAGED, the artifacts are a staged release's
# (docs/releasing.md), and the build may fetch what it lacks.
# Usage: check-consumer.sh ROOT MAVEN LOCAL_REPOSITORY VERSION JUNIT_VERSION [STAGED]
set -euo pipefail
root=$1 mvn=$2 tail=$3 version=$4 junit=$5 staged=${6:-}
work=$root/target/consumer
repo=$work/repository

if [ -z "$staged" ] && [ ! -e "$root/crdt-mcp/target/crdt-mcp-$version.jar" ]; then
  echo "consumer: skipped, no crdt-mcp jar in this build (build the modules in the same reactor)"
  exit 0
fi
rm -rf "$work"
mkdir -p "$repo" "$work/project"
maven=("$mvn" -B -q "-Dmaven.repo.local=$repo" "-Dmaven.repo.local.tail=$tail")
# this build's artifacts: offline, everything else is in the tail already; a staged release is checked
# after a build that may have run no test (the consumer's test runner is then fetched)
[ -n "$staged" ] || maven+=(-o)
if [ -n "$staged" ]; then
  cp -R "$staged/." "$repo/"
else
  # as `mvn install` lays them out (a file in a local repository without download records is a local
  # install, found for every repository); no plugin needed, so the build stays offline
  put() { # ARTIFACT FILE EXTENSION
    local dir=$repo/io/github/crdtmemory/$1/$version
    mkdir -p "$dir"
    cp "$2" "$dir/$1-$version.$3"
  }
  for m in crdt-core crdt-git crdt-mcp; do
    put "$m" "$root/$m/target/$m-$version.jar" jar
    put "$m" "$root/$m/target/flattened-pom.xml" pom
  done
  put crdt-bom "$root/crdt-bom/target/flattened-pom.xml" pom
fi

cp -R "$root/.ci/consumer/." "$work/project/"
sed -i -e "s/@VERSION@/$version/" -e "s/@JUNIT@/$junit/" "$work/project/pom.xml"
if ! "${maven[@]}" -f "$work/project/pom.xml" test > "$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  for report in "$work/project/target/surefire-reports/"*.txt; do
    [ -e "$report" ] && cat "$report" >&2
  done
  echo "consumer: a user's build of crdt-core, crdt-git and crdt-mcp $version failed (above)" >&2
  exit 1
fi
echo "consumer: a user's build of crdt-core, crdt-git and crdt-mcp $version passes ($(grep -ho 'Tests run: [0-9]*' "$work/project/target/surefire-reports/"*.txt | paste -sd ' '))"
