/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.live.MemoryTools;
import io.github.crdtmemory.live.Observations;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.MemoryStore;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncSettings;
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
 * One MCP tool call's work in process, on a real memory file and state directory (fsyncs included),
 * without the JSON-RPC framing: {@code add_observations} of one observation through
 * {@link SyncEngine#edit}, and the read calls ({@code search_nodes}, {@code open_nodes},
 * {@code read_graph}) on what the MCP server reads, for a memory of {@code entities} entities with three
 * observations and one relation each (the npm server's comparison shape).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class EditBenchmark {
    @Param({"1000", "10000"})
    public int entities;

    /**
     * Where the memory file and state directory go: empty for the system's temporary directory (a real
     * disk, fsyncs included), or a directory such as {@code /dev/shm} (tmpfs: the CPU part alone).
     */
    @Param({""})
    public String directory;

    private Path root;
    private Path file;
    private SyncEngine engine;
    private int call;

    /**
     * Writes the memory file and runs a first edit, so the checkpoint exists.
     *
     * @throws IOException if the files cannot be written
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = directory.isEmpty() ? Files.createTempDirectory("crdt-bench-edit-")
                : Files.createTempDirectory(Path.of(directory), "crdt-bench-edit-");
        file = root.resolve("memory.jsonl");
        Files.write(file, MemoryFileCodec.write(Fixtures.graph(entities, 7), true));
        engine = SyncEngine.create(SyncSettings.of(file, root.resolve("state"), ReplicaId.of("bench")),
                MemoryStore.create("bench"));
        engine.edit(g -> g);
    }

    /**
     * Removes the files.
     *
     * @throws IOException if they cannot be removed
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * {@code add_observations}: one new observation on one entity, stamped, persisted and written.
     *
     * @return the graph written
     */
    @Benchmark
    public MemoryGraph addObservation() {
        int n = call++;
        String name = "entity " + (n * 7919 % entities);
        return engine.edit(g -> MemoryTools.addObservations(g,
                List.of(new Observations(name, List.of("benchmark observation " + n)))).graph());
    }

    /**
     * {@code search_nodes} as the MCP server does it: the memory file's graph, then the search.
     *
     * @return the matches
     */
    @Benchmark
    public MemoryGraph searchNodes() {
        return MemoryTools.searchNodes(engine.read(), "project 42");
    }

    /**
     * {@code open_nodes} of two entities.
     *
     * @return the entities and their relations
     */
    @Benchmark
    public MemoryGraph openNodes() {
        return MemoryTools.openNodes(engine.read(), List.of("entity 1", "entity " + (entities / 2)));
    }

    /**
     * {@code read_graph}: the whole graph, as the server reads it.
     *
     * @return the graph
     */
    @Benchmark
    public MemoryGraph readGraph() {
        return engine.read();
    }
}
