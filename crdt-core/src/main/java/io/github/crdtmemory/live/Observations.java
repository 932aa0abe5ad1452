/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.live;

import java.util.List;
import java.util.Objects;

/**
 * Observations of one entity, as the MCP tools pass them: {@code add_observations} takes
 * {@code {entityName, contents}} and {@code delete_observations} {@code {entityName, observations}}; both
 * are this record. As a result of {@link LiveMemory#addObservations}, the observations actually added.
 *
 * @param entityName the entity
 * @param observations the observation texts
 */
public record Observations(String entityName, List<String> observations) {
    /**
     * Validates and copies the components.
     *
     * @throws NullPointerException if a component or an element is null
     */
    public Observations {
        Objects.requireNonNull(entityName, "entityName");
        observations = List.copyOf(observations);
    }
}
