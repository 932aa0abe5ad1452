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
        if (observations.size() > 1 && new java.util.HashSet<>(observations).size() != observations.size()) {
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
}
