/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.live.LiveMemory;
import io.github.crdtmemory.live.Observations;
import io.github.crdtmemory.memory.Entity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The write calls of {@code memory-mcp-server --http} in process: {@link LiveMemory#addObservations} of
 * one observation and {@link LiveMemory#createEntities} of one entity on a memory of {@code entities}
 * entities (three observations and one relation each), persisted on a real disk (fsync included), as
 * the HTTP server runs them, without the HTTP and JSON-RPC framing. Sample time: the median is the
 * figure the 5 ms target is about.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class LiveWriteBenchmark {
    @Param({"10000"})
    public int entities;

    private Path root;
    private LiveMemory memory;
    private int call;

    /**
     * Opens a live memory holding the graph.
     *
     * @throws IOException if the directory cannot be made
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = Files.createTempDirectory("crdt-bench-live-");
        memory = LiveMemory.open(root.resolve("live.state"), ReplicaId.of("bench"));
        memory.createEntities(Fixtures.graph(entities, 7).entities());
    }

    /**
     * Removes the files.
     *
     * @throws IOException if they cannot be removed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        memory.close();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * One {@code add_observations} call.
     *
     * @return what it added
     */
    @Benchmark
    public List<Observations> addObservations() {
        int k = call++;
        return memory.addObservations(List.of(new Observations("entity " + (k * 7919 % entities),
                List.of("bench observation " + k))));
    }

    /**
     * One {@code create_entities} call.
     *
     * @return what it created
     */
    @Benchmark
    public List<Entity> createEntities() {
        int k = call++;
        return memory.createEntities(List.of(new Entity("bench " + k, "bench", List.of("new"))));
    }
}
