/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import java.util.List;
import java.util.Objects;

/**
 * An entity of the MCP memory graph, identified by its exact, case-sensitive {@code name}. Immutable.
 *
 * @param name the identity of the entity
 * @param entityType the entity's type, such as {@code person}
 * @param observations the facts recorded about the entity, in order, without duplicates
 */
public record Entity(String name, String entityType, List<String> observations) {

    /**
     * Validates and copies the components.
     *
     * @throws NullPointerException if a component or an observation is null
     * @throws IllegalArgumentException if an observation occurs twice
     */
    public Entity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(entityType, "entityType");
        observations = List.copyOf(observations);
        if (hasDuplicate(observations)) {
            throw new IllegalArgumentException("entity '" + name + "' lists an observation twice");
        }
    }

    /**
     * Returns an entity.
     *
     * @param name the identity
     * @param entityType the type
     * @param observations the observations, without duplicates
     * @return the entity
     */
    public static Entity of(String name, String entityType, String... observations) {
        return new Entity(name, entityType, List.of(observations));
    }

    /** Pairwise for short lists (no allocation), a hash set for long ones. */
    private static boolean hasDuplicate(List<String> list) {
        int n = list.size();
        if (n < 2) {
            return false;
        }
        if (n <= 8) {
            for (int i = 1; i < n; i++) {
                for (int j = 0; j < i; j++) {
                    if (list.get(i).equals(list.get(j))) {
                        return true;
                    }
                }
            }
            return false;
        }
        return new java.util.HashSet<>(list).size() != n;
    }
}
