/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * Memory: the retained heap per atom of an in-memory state, and whether the join of two replicas of
 * 1M atoms each completes within the heap this JVM was given ({@code run.sh} gives {@code -Xmx512m}).
 * Writes one JSON object to the file named by the first argument.
 */
public final class Footprint {
    private Footprint() {
    }

    /**
     * Runs the measurement.
     *
     * @param args the output file, then the atoms per replica (default 1,000,000)
     * @throws Exception if the output cannot be written
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int atoms = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        // bytes per atom of a state as a sync holds it: decoded from its canonical file
        int sample = Math.min(atoms, 200_000);
        byte[] file = StateCodec.encode(MemoryState.of(Fixtures.replica("sample", 0, sample, 3).ours()));
        long before = used();
        MemoryState decoded = StateCodec.decode(file, "sample");
        long afterDecode;
        try {
            afterDecode = used();
        } finally {
            java.lang.ref.Reference.reachabilityFence(decoded); // held while the heap is measured
        }
        double bytesPerAtom = (double) (afterDecode - before) / sample;
        file = null;
        decoded = null;
        // the join of two replicas of `atoms` atoms, half shared; built without sharing any key object
        // between them, a larger form than the decoded one (whose entity names are shared)
        MemoryState left = MemoryState.of(Fixtures.replica("left", 0, atoms, 1).ours());
        MemoryState right = MemoryState.of(Fixtures.replica("right", atoms / 2, atoms, 2).ours());
        long t0 = System.nanoTime();
        LwwMap<AtomKey> joined = left.atoms().join(right.atoms());
        long joinNanos = System.nanoTime() - t0;
        long afterJoin = used();
        ObjectNode r = new ObjectMapper().createObjectNode();
        r.put("format", "crdt-memory-footprint");
        r.put("atomsPerReplica", atoms);
        r.put("overlapPercent", 50);
        r.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        r.put("bytesPerAtom", bytesPerAtom);
        r.put("bytesPerAtomSample", sample);
        r.put("joinedAtoms", joined.size());
        r.put("joinMillis", joinNanos / 1e6);
        r.put("heapAfterJoinBytes", afterJoin);
        r.put("completed", true);
        r.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        r.put("inputArguments", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), r);
        System.out.println(r);
        if (List.of(left, right).isEmpty()) {
            throw new AssertionError("keeps both states reachable until the end");
        }
    }

    private static long used() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
