#!/usr/bin/env bash
#
# Copyright The crdt-memory authors
# SPDX-License-Identifier: Apache-2.0
#

# Runs the benchmarks and regenerates docs/benchmarks.md and docs/benchmarks-scaling.svg.
#
#   ./mvnw -B package -DskipTests      (or -B verify; builds crdt-bench/target/benchmarks.jar and the
#                                        server and CLI jars that the MCP side-by-side run starts)
#   crdt-bench/run.sh quick            (under 5 minutes on 2 cores)
#   crdt-bench/run.sh full             (every size, more iterations; about 30 minutes)
#   crdt-bench/run.sh quick --no-heap  (without the heap harness: HeapHarness bisects the smallest -Xmx of
#                                       memory-backup and memory-mcp-server; quick: 25,000 entities, a few
#                                       minutes; full: 25,000, 50,000 and 100,000, about an hour more)
#
# Results (JMH JSON and the harness outputs) go to crdt-bench/target/results/. The MCP side-by-side
# run also starts the npm memory server when node is installed (installed with npm, pinned version,
# into crdt-bench/target/npm); without node it measures ours alone and the report says so.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-quick}
heap=${2:-}
jar=crdt-bench/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  echo "missing $jar; build it with: ./mvnw -B package -DskipTests" >&2
  exit 1
fi
out=crdt-bench/target/results
rm -rf "$out" && mkdir -p "$out"

case "$profile" in
  quick)
    iters=(-f 1 -wi 2 -i 3 -w 1s -r 1s)
    join=(-p atoms=10000,100000 -p overlap=0,50,100)
    many=(-p replicas=8,32)
    codec=(-p entities=10000)
    ;;
  full)
    iters=(-f 1 -wi 3 -i 5 -w 2s -r 2s)
    join=(-p atoms=10000,100000,1000000 -p overlap=0,50,100)
    many=(-p replicas=8,32,100)
    codec=(-p entities=10000,100000)
    ;;
  *)
    echo "usage: $0 quick|full" >&2
    exit 2
    ;;
esac

bench() {
  local name=$1
  shift
  java -jar "$jar" "$@" "${iters[@]}" -rf json -rff "$out/jmh-$name.json"
}

start=$(date +%s)
bench join 'JoinBenchmark' "${join[@]}"
if [ "$profile" = quick ]; then
  # the 1M-atom join, ours only (building Pekko's 1M-entry maps takes minutes and 4 GB)
  bench join1m 'JoinBenchmark.join$' -p atoms=1000000 -p overlap=50 -p withPekko=false
fi
bench many 'JoinManyBenchmark' "${many[@]}"
bench codec 'CodecBenchmark' "${codec[@]}"
java -cp "$jar" io.github.crdtmemory.bench.SyncHarness "$out/sync.json" "$profile"
java -Xmx512m -cp "$jar" io.github.crdtmemory.bench.Footprint "$out/footprint.json"
java -cp "$jar" io.github.crdtmemory.bench.McpSideBySide "$out/mcp.json" "$profile" .
if [ "$heap" != --no-heap ]; then
  java -cp "$jar" io.github.crdtmemory.bench.HeapHarness "$out/heap.json" "$profile" \
    crdt-cli/target/memory-backup.jar crdt-mcp/target/memory-mcp-server.jar
fi
took=$(( $(date +%s) - start ))

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || echo unknown)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || echo unknown)
javav=$(java -version 2>&1 | head -1)
gitv=$(git --version)
machine="$(nproc) cores ($cpu), $mem, $(uname -sr), $javav, $gitv; $profile profile took ${took}s on $(date -u +%Y-%m-%d)"
java -cp "$jar" io.github.crdtmemory.bench.BenchmarkReport "$out" docs crdt-bench/report-notes.md \
  "$machine" "crdt-bench/run.sh $profile"
echo "wrote docs/benchmarks.md and docs/benchmarks-scaling.svg (${took}s)"
