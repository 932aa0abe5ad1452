/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import java.util.List;
import java.util.Objects;

/**
 * Writes memory files byte for byte as {@link MemoryFileCodec#write} does, for a writer that rewrites
 * one file again and again with small changes (a tool call adds an observation to a memory of
 * thousands of entities): it keeps the encoded line of every entity and relation of the last graph it
 * wrote, encodes only the lines that differ, and assembles the file once, into an array of its exact
 * size. A line is reused only for an entity or relation made of the very same strings (compared by
 * reference, so the strings themselves are not read) at the position the last graph had it, give or
 * take a few; anything else is encoded afresh. It holds about one file's worth of lines. Thread-safe.
 */
public final class MemoryFileWriter {
    /** How far ahead in the last graph a line is looked for (entities deleted in between). */
    private static final int WINDOW = 4;

    private Entity[] entities = new Entity[0];
    private byte[][] entityLines = new byte[0][];
    private Relation[] relations = new Relation[0];
    private byte[][] relationLines = new byte[0][];

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
        List<Entity> es = graph.entities();
        List<Relation> rs = graph.relations();
        Entity[] nextEntities = es.toArray(new Entity[0]);
        byte[][] nextEntityLines = new byte[nextEntities.length][];
        int j = 0;
        for (int i = 0; i < nextEntities.length; i++) {
            Entity e = nextEntities[i];
            int at = find(e, j);
            if (at >= 0) {
                j = at + 1;
                nextEntityLines[i] = same(e, entities[at]) ? entityLines[at] : MemoryFileCodec.entityLine(e);
            } else {
                nextEntityLines[i] = MemoryFileCodec.entityLine(e);
            }
        }
        Relation[] nextRelations = rs.toArray(new Relation[0]);
        byte[][] nextRelationLines = new byte[nextRelations.length][];
        j = 0;
        for (int i = 0; i < nextRelations.length; i++) {
            Relation r = nextRelations[i];
            int at = -1;
            for (int k = j; k < Math.min(relations.length, j + WINDOW); k++) {
                if (same(r, relations[k])) {
                    at = k;
                    break;
                }
            }
            if (at >= 0) {
                j = at + 1;
                nextRelationLines[i] = relationLines[at];
            } else {
                nextRelationLines[i] = MemoryFileCodec.relationLine(r);
            }
        }
        byte[] out = assemble(nextEntityLines, nextRelationLines, trailingNewline);
        entities = nextEntities;
        entityLines = nextEntityLines;
        relations = nextRelations;
        relationLines = nextRelationLines;
        return out;
    }

    /** The position of the last graph's entity named by the same string as {@code e}, from {@code from} on. */
    private int find(Entity e, int from) {
        for (int k = from; k < Math.min(entities.length, from + WINDOW); k++) {
            if (entities[k].name() == e.name()) {
                return k;
            }
        }
        return -1;
    }

    private static boolean same(Entity a, Entity b) {
        if (a == b) {
            return true;
        }
        if (a.name() != b.name() || a.entityType() != b.entityType()) {
            return false;
        }
        List<String> x = a.observations();
        List<String> y = b.observations();
        if (x == y) {
            return true;
        }
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (x.get(i) != y.get(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(Relation a, Relation b) {
        return a == b || (a.from() == b.from() && a.relationType() == b.relationType() && a.to() == b.to());
    }

    private static byte[] assemble(byte[][] entityLines, byte[][] relationLines, boolean trailingNewline) {
        long size = entityLines.length + relationLines.length - 1L + (trailingNewline ? 1 : 0);
        for (byte[] l : entityLines) {
            size += l.length;
        }
        for (byte[] l : relationLines) {
            size += l.length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a memory file of " + size + " bytes exceeds a Java array");
        }
        byte[] out = new byte[(int) size];
        int at = 0;
        boolean first = true;
        for (byte[][] lines : new byte[][][] {entityLines, relationLines}) {
            for (byte[] l : lines) {
                if (!first) {
                    out[at++] = '\n';
                }
                first = false;
                System.arraycopy(l, 0, out, at, l.length);
                at += l.length;
            }
        }
        if (trailingNewline) {
            out[at] = '\n';
        }
        return out;
    }
}
