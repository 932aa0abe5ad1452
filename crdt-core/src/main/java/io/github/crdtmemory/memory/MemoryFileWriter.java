package io.github.crdtmemory.memory;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes memory files byte for byte as {@link MemoryFileCodec#write} does, for a writer that rewrites
 * one file again and again with small changes (a tool call adds an observation to a memory of
 * thousands of entities): it keeps the encoded line of every entity and relation of the last graph it
 * wrote, encodes only the lines that differ, and assembles the file once, into an array of its exact
 * size. It holds about one file's worth of lines. Thread-safe.
 */
public final class MemoryFileWriter {
    private Map<Object, byte[]> lines = new HashMap<>(); // Entity or Relation -> its line, no newline

    private MemoryFileWriter() {
    }

    /**
     * Returns a writer that has written nothing yet.
     *
     * @return the writer
     */
    public static MemoryFileWriter create() {
        return new MemoryFileWriter();
    }

    /**
     * Writes a graph exactly as {@link MemoryFileCodec#write} would.
     *
     * @param graph the graph
     * @param trailingNewline whether to end a non-empty file with {@code \n}
     * @return the file's content
     * @throws NullPointerException if {@code graph} is null
     * @throws IllegalArgumentException if the file would exceed the largest Java array
     */
    public synchronized byte[] write(MemoryGraph graph, boolean trailingNewline) {
        Objects.requireNonNull(graph, "graph");
        if (graph.isEmpty()) {
            return new byte[0];
        }
        int count = graph.entities().size() + graph.relations().size();
        byte[][] parts = new byte[count][];
        Map<Object, byte[]> next = new HashMap<>(count * 4 / 3 + 1);
        long size = count - 1L + (trailingNewline ? 1 : 0);
        int i = 0;
        for (Entity e : graph.entities()) {
            byte[] line = lines.get(e);
            if (line == null) {
                line = MemoryFileCodec.entityLine(e);
            }
            next.put(e, line);
            parts[i++] = line;
            size += line.length;
        }
        for (Relation r : graph.relations()) {
            byte[] line = lines.get(r);
            if (line == null) {
                line = MemoryFileCodec.relationLine(r);
            }
            next.put(r, line);
            parts[i++] = line;
            size += line.length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a memory file of " + size + " bytes exceeds a Java array");
        }
        byte[] out = new byte[(int) size];
        int at = 0;
        for (int j = 0; j < count; j++) {
            if (j > 0) {
                out[at++] = '\n';
            }
            System.arraycopy(parts[j], 0, out, at, parts[j].length);
            at += parts[j].length;
        }
        if (trailingNewline) {
            out[at] = '\n';
        }
        lines = next;
        return out;
    }
}
