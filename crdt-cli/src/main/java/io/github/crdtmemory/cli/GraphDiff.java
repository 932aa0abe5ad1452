/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What changed from one graph to another: entities, observations and relations added and removed,
 * and entity types changed. An observation of an added or removed entity is listed too.
 *
 * @param addedEntities entities only in the second graph
 * @param removedEntities entities only in the first
 * @param typeChanges entities in both whose type differs: {name, from, to}
 * @param addedObservations {entity, text} only in the second
 * @param removedObservations {entity, text} only in the first
 * @param addedRelations relations only in the second
 * @param removedRelations relations only in the first
 */
record GraphDiff(List<Entity> addedEntities, List<Entity> removedEntities, List<String[]> typeChanges,
                 List<String[]> addedObservations, List<String[]> removedObservations, List<Relation> addedRelations,
                 List<Relation> removedRelations) {

    static GraphDiff of(MemoryGraph from, MemoryGraph to) {
        List<Entity> added = new ArrayList<>();
        List<Entity> removed = new ArrayList<>();
        List<String[]> types = new ArrayList<>();
        List<String[]> addedObs = new ArrayList<>();
        List<String[]> removedObs = new ArrayList<>();
        for (Entity e : to.entities()) {
            Optional<Entity> old = from.entity(e.name());
            if (old.isEmpty()) {
                added.add(e);
            } else if (!old.get().entityType().equals(e.entityType())) {
                types.add(new String[] {e.name(), old.get().entityType(), e.entityType()});
            }
            Set<String> before = new LinkedHashSet<>(old.map(Entity::observations).orElse(List.of()));
            e.observations().stream().filter(o -> !before.contains(o)).forEach(o -> addedObs.add(new String[] {e.name(), o}));
        }
        for (Entity e : from.entities()) {
            Optional<Entity> now = to.entity(e.name());
            if (now.isEmpty()) {
                removed.add(e);
            }
            Set<String> after = new LinkedHashSet<>(now.map(Entity::observations).orElse(List.of()));
            e.observations().stream().filter(o -> !after.contains(o)).forEach(o -> removedObs.add(new String[] {e.name(), o}));
        }
        Set<Relation> fromRelations = new LinkedHashSet<>(from.relations());
        Set<Relation> toRelations = new LinkedHashSet<>(to.relations());
        List<Relation> addedRel = to.relations().stream().filter(r -> !fromRelations.contains(r)).toList();
        List<Relation> removedRel = from.relations().stream().filter(r -> !toRelations.contains(r)).toList();
        return new GraphDiff(added, removed, types, addedObs, removedObs, addedRel, removedRel);
    }

    boolean isEmpty() {
        return addedEntities.isEmpty() && removedEntities.isEmpty() && typeChanges.isEmpty() && addedObservations.isEmpty()
                && removedObservations.isEmpty() && addedRelations.isEmpty() && removedRelations.isEmpty();
    }

    String text() {
        StringBuilder out = new StringBuilder();
        addedEntities.forEach(e -> out.append("+ entity ").append(e.name()).append(" (").append(e.entityType()).append(")\n"));
        removedEntities.forEach(e -> out.append("- entity ").append(e.name()).append(" (").append(e.entityType()).append(")\n"));
        typeChanges.forEach(t -> out.append("~ entity ").append(t[0]).append(": type ").append(t[1]).append(" -> ")
                .append(t[2]).append('\n'));
        addedObservations.forEach(o -> out.append("+ observation ").append(o[0]).append(": ").append(o[1]).append('\n'));
        removedObservations.forEach(o -> out.append("- observation ").append(o[0]).append(": ").append(o[1]).append('\n'));
        addedRelations.forEach(r -> out.append("+ relation ").append(r.from()).append(" -[").append(r.relationType())
                .append("]-> ").append(r.to()).append('\n'));
        removedRelations.forEach(r -> out.append("- relation ").append(r.from()).append(" -[").append(r.relationType())
                .append("]-> ").append(r.to()).append('\n'));
        return out.length() == 0 ? "no differences\n" : out.toString();
    }

    /** Writes the diff's fields into an open JSON object. */
    void fields(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("entities");
        entities(g, "added", addedEntities);
        entities(g, "removed", removedEntities);
        g.writeArrayFieldStart("typeChanged");
        for (String[] t : typeChanges) {
            g.writeStartObject();
            g.writeStringField("name", t[0]);
            g.writeStringField("from", t[1]);
            g.writeStringField("to", t[2]);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeObjectFieldStart("observations");
        observations(g, "added", addedObservations);
        observations(g, "removed", removedObservations);
        g.writeEndObject();
        g.writeObjectFieldStart("relations");
        relations(g, "added", addedRelations);
        relations(g, "removed", removedRelations);
        g.writeEndObject();
    }

    String json(String from, String to) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("format", "crdt-memory-diff");
            g.writeNumberField("version", 1);
            g.writeStringField("from", from);
            g.writeStringField("to", to);
            fields(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return w.toString();
    }

    private static void entities(JsonGenerator g, String name, List<Entity> list) throws IOException {
        g.writeArrayFieldStart(name);
        for (Entity e : list) {
            g.writeStartObject();
            g.writeStringField("name", e.name());
            g.writeStringField("entityType", e.entityType());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void observations(JsonGenerator g, String name, List<String[]> list) throws IOException {
        g.writeArrayFieldStart(name);
        for (String[] o : list) {
            g.writeStartObject();
            g.writeStringField("entity", o[0]);
            g.writeStringField("text", o[1]);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void relations(JsonGenerator g, String name, List<Relation> list) throws IOException {
        g.writeArrayFieldStart(name);
        for (Relation r : list) {
            g.writeStartObject();
            g.writeStringField("from", r.from());
            g.writeStringField("relationType", r.relationType());
            g.writeStringField("to", r.to());
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
