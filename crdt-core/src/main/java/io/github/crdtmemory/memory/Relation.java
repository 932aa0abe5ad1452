/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import java.util.Objects;

/**
 * A directed relation of the MCP memory graph, identified by the whole triple. Either endpoint may
 * name an entity that does not exist: the MCP server accepts such dangling relations. Immutable.
 *
 * @param from the source entity's name
 * @param relationType the relation, in active voice, such as {@code works_at}
 * @param to the target entity's name
 */
public record Relation(String from, String relationType, String to) {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     */
    public Relation {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(relationType, "relationType");
        Objects.requireNonNull(to, "to");
    }
}
