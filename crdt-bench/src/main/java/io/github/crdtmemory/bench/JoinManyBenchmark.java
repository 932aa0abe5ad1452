/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.memory.AtomKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.ddata.LWWMap;
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
 * The join of many replicas of 10K atoms (each overlapping half of the next): ours in one pass
 * ({@code LwwMap.joinAll}) and Pekko's pairwise {@code merge} fold, on the same data.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JoinManyBenchmark {
    /** Replicas joined. */
    @Param({"8", "32", "100"})
    public int replicas;

    /** Atoms per replica. */
    @Param({"10000"})
    public int atoms;

    private List<LwwMap<AtomKey>> ours;
    private List<LWWMap<AtomKey, String>> pekko;

    /** Builds the replicas in both forms. */
    @Setup(Level.Trial)
    public void setUp() {
        ours = new ArrayList<>();
        pekko = new ArrayList<>();
        for (Fixtures.Replica r : Fixtures.many(replicas, atoms)) {
            ours.add(r.ours());
            pekko.add(Pekko.map(r));
        }
    }

    /** Our one-pass join of all replicas. */
    @Benchmark
    public LwwMap<AtomKey> joinAll() {
        return LwwMap.joinAll(ours);
    }

    /** Pekko's fold of pairwise merges. */
    @Benchmark
    public LWWMap<AtomKey, String> pekkoJoinAll() {
        LWWMap<AtomKey, String> acc = pekko.get(0);
        for (int i = 1; i < pekko.size(); i++) {
            acc = acc.merge(pekko.get(i));
        }
        return acc;
    }
}
