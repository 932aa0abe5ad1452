/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.github.crdtmemory.memory.AtomCounts;
import java.io.IOException;

/**
 * Not API. The one JSON form of {@link AtomCounts} that every report, status and history entry
 * writes: {@code {"entities":…,"observations":…,"relations":…,"tombstones":…}}, in that order.
 */
public final class CountsJson {
    private CountsJson() {
    }

    /**
     * Writes {@code counts} as the object field {@code field}.
     *
     * @param g the generator, inside an object
     * @param field the field name
     * @param counts the counts
     * @throws IOException if the generator fails
     */
    public static void write(JsonGenerator g, String field, AtomCounts counts) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeNumberField("entities", counts.entities());
        g.writeNumberField("observations", counts.observations());
        g.writeNumberField("relations", counts.relations());
        g.writeNumberField("tombstones", counts.tombstones());
        g.writeEndObject();
    }
}
