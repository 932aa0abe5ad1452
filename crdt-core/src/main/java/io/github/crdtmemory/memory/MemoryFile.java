/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import java.util.List;
import java.util.Objects;

/**
 * What {@link MemoryFileCodec#parse} read from a memory file: the graph, the layout details needed to
 * write it back unchanged, and the warnings about repairs it made. Immutable.
 *
 * @param graph the graph, with duplicates merged
 * @param format the layout the file used
 * @param trailingNewline whether the file ended with a newline (kept when writing back)
 * @param warnings one line per repair (a duplicate entity merged, a duplicate observation or relation
 *     dropped, an unknown field ignored), each naming its line; empty for a clean file
 */
public record MemoryFile(MemoryGraph graph, Format format, boolean trailingNewline, List<String> warnings) {

    /** The layouts a memory file can have. Only {@link #JSONL} is ever written. */
    public enum Format {
        /** One JSON object per line, as the MCP server writes since 2025. */
        JSONL,
        /** One JSON array of entity and relation objects (older tools). */
        JSON_ARRAY,
        /** One object {@code {"entities":[...],"relations":[...]}} (older tools). */
        JSON_OBJECT
    }

    /**
     * Validates and copies the components.
     *
     * @throws NullPointerException if a component is null
     */
    public MemoryFile {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(format, "format");
        warnings = List.copyOf(warnings);
    }
}
