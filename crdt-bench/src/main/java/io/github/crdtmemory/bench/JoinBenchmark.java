/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.memory.AtomKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The join of two replicas at several sizes and overlaps: ours ({@code join}) and Pekko's
 * {@code LWWMap.merge} ({@code pekkoJoin}) on the same data, in the same run.
 *
 * <pre>{@code
 * java -jar crdt-bench/target/benchmarks.jar JoinBenchmark -p atoms=10000 -f 1 -wi 3 -i 5
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JoinBenchmark {
    /** Atoms per replica. */
    @Param({"10000", "100000", "1000000"})
    public int atoms;

    /** Percentage of keys the two replicas share (with different stamps). */
    @Param({"0", "50", "100"})
    public int overlap;

    /** Whether Pekko's maps are built too (off for the sizes where only ours is measured). */
    @Param({"true"})
    public boolean withPekko;

    private LwwMap<AtomKey> left;
    private LwwMap<AtomKey> right;
    private @Nullable LWWMap<AtomKey, String> pekkoLeft;
    private @Nullable LWWMap<AtomKey, String> pekkoRight;

    /** Builds both replicas in both forms. */
    @Setup(Level.Trial)
    public void setUp() {
        List<Fixtures.Replica> pair = Fixtures.pair(atoms, overlap);
        left = pair.get(0).ours();
        right = pair.get(1).ours();
        if (withPekko) {
            pekkoLeft = Pekko.map(pair.get(0));
            pekkoRight = Pekko.map(pair.get(1));
        }
    }

    /** Our join of the two replicas. */
    @Benchmark
    public LwwMap<AtomKey> join() {
        return left.join(right);
    }

    /** Pekko's merge of the same two replicas. */
    @Benchmark
    public LWWMap<AtomKey, String> pekkoJoin() {
        LWWMap<AtomKey, String> l = pekkoLeft;
        LWWMap<AtomKey, String> r = pekkoRight;
        if (l == null || r == null) {
            throw new IllegalStateException("run with -p withPekko=true");
        }
        return l.merge(r);
    }
}
