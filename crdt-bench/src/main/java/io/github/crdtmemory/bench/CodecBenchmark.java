/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.memory.MemoryFile;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import java.util.concurrent.TimeUnit;
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
 * The codecs and the diff: parse and write an MCP memory file, decode and canonically encode a
 * replica state file, and diff two graphs that differ in 1% of their entities.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CodecBenchmark {
    /** Entities in the memory file (each with three observations and one relation). */
    @Param({"10000", "100000"})
    public int entities;

    private byte[] memoryFile;
    private MemoryGraph graph;
    private MemoryGraph editedGraph;
    private MemoryState state;
    private byte[] stateFile;

    /** Builds the file, its graph, its state and an edited copy. */
    @Setup(Level.Trial)
    public void setUp() {
        graph = Fixtures.graph(entities, 42);
        editedGraph = Fixtures.edited(graph, 1);
        memoryFile = MemoryFileCodec.write(graph, false);
        state = MemoryState.fromGraph(graph, Clock.hybrid(ReplicaId.of("bench"), () -> Fixtures.EPOCH, Timestamp.ZERO));
        stateFile = StateCodec.encode(state);
    }

    /** Parses the memory file (validation included). */
    @Benchmark
    public MemoryFile parseMemoryFile() {
        return MemoryFileCodec.parse(memoryFile, "memory.jsonl");
    }

    /** Writes the memory file as the MCP server would. */
    @Benchmark
    public byte[] writeMemoryFile() {
        return MemoryFileCodec.write(graph, false);
    }

    /** Decodes a replica state file. */
    @Benchmark
    public MemoryState decodeState() {
        return StateCodec.decode(stateFile, "bench.state");
    }

    /** Encodes a replica state canonically. */
    @Benchmark
    public byte[] encodeState() {
        return StateCodec.encode(state);
    }

    /** Diffs the graph against a copy with 1% of its entities edited. */
    @Benchmark
    public MemoryState diffOnePercent() {
        return state.diff(graph, editedGraph, Clock.hybrid(ReplicaId.of("bench"), () -> Fixtures.EPOCH + 1,
                Timestamp.ZERO));
    }
}
