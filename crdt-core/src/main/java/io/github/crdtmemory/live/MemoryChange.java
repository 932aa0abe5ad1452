/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.live;

import io.github.crdtmemory.memory.MemoryState;
import java.util.Objects;

/**
 * One change applied to a {@link LiveMemory}, as its listeners see it.
 *
 * @param operation what caused it: the MCP tool name ({@code create_entities}, ...) or {@code sync}
 * @param edits the registers the change wrote (for {@code sync}, the merged remote state)
 * @param version the memory's version after the change (increases by one per change)
 */
public record MemoryChange(String operation, MemoryState edits, long version) {
    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     */
    public MemoryChange {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(edits, "edits");
    }
}
