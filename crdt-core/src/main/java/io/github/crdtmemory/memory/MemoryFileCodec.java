/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.github.crdtmemory.internal.JsonOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes the MCP memory server's file.
 *
 * <p>Reading accepts the server's JSONL (one {@code {"type":"entity",...}} or
 * {@code {"type":"relation",...}} object per line; blank lines and CRLF line ends are fine), and the
 * older JSON array and {@code {"entities":[],"relations":[]}} forms. It is strict where the server
 * would fail or silently lose data: malformed JSON, invalid UTF-8, a wrong type, a missing field, an
 * unknown line type or two records on one line throw a {@link MemoryFormatException} naming the
 * source, line, column and reason, and nothing is returned. Duplicate entity names are merged (first
 * type, observations in first-seen order), duplicate observations and relations are dropped, unknown
 * fields are ignored (the server drops them too); each repair is a warning.
 *
 * <p>Writing produces exactly the bytes the server writes: entities first, then relations, compact
 * objects with keys in the server's order, {@code JSON.stringify} escaping, lines joined by
 * {@code \n}, a trailing newline only if asked, and an empty graph as an empty file.
 *
 * <p>Stateless and thread-safe.
 */
public final class MemoryFileCodec {
    // duplicate fields are checked by the reader itself, for the fields it reads (cheaper than Jackson's
    // set per object); nested content of fields it ignores is skipped unchecked
    private static final JsonFactory JSON = new JsonFactory();

    private MemoryFileCodec() {
    }

    /**
     * Parses a memory file.
     *
     * @param bytes the file's content
     * @param source the file's name, used in messages
     * @return the graph and its layout
     * @throws MemoryFormatException if the content is not a valid memory file
     * @throws NullPointerException if an argument is null
     */
    public static MemoryFile parse(byte[] bytes, String source) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(source, "source");
        int bad = Utf8Check.firstInvalid(bytes);
        if (bad >= 0) {
            int[] at = Utf8Check.position(bytes, bad);
            throw new MemoryFormatException(source, at[0], at[1],
                    String.format(java.util.Locale.ROOT, "invalid UTF-8 (byte 0x%02x)", bytes[bad] & 0xff), null);
        }
        int start = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf) {
            start = 3;
        }
        Reader reader = new Reader(bytes, start, source);
        if (start > 0) {
            reader.warnings.add("line 1: byte order mark ignored");
        }
        try {
            return reader.read();
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new MemoryFormatException(source,
                    loc == null ? 0 : loc.getLineNr(),
                    loc == null ? 0 : loc.getColumnNr(),
                    "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MemoryFormatException(source, 0, 0, "unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a graph exactly as the MCP server would.
     *
     * @param graph the graph
     * @param trailingNewline whether to end a non-empty file with {@code \n}
     * @return the file's content
     * @throws NullPointerException if {@code graph} is null
     */
    public static byte[] write(MemoryGraph graph, boolean trailingNewline) {
        Objects.requireNonNull(graph, "graph");
        if (graph.isEmpty()) {
            return new byte[0];
        }
        // sized exactly first: the bytes are made once, never grown by doubling and copied
        long size = size(graph, trailingNewline);
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("the memory file would be " + size + " bytes, over the largest array");
        }
        JsonOutput out = new JsonOutput((int) size);
        write(graph, trailingNewline, out);
        return out.toByteArray();
    }

    /** The length of {@link #write(MemoryGraph, boolean)}'s output for a non-empty graph, to the byte. */
    static long size(MemoryGraph graph, boolean trailingNewline) {
        long n = (long) graph.entities().size() + graph.relations().size() - 1 + (trailingNewline ? 1 : 0); // newlines
        for (Entity e : graph.entities()) {
            n += ENTITY_LITERALS + JsonOutput.stringLength(e.name()) + JsonOutput.stringLength(e.entityType());
            List<String> obs = e.observations();
            n += Math.max(0, obs.size() - 1);
            for (String o : obs) {
                n += JsonOutput.stringLength(o);
            }
        }
        for (Relation r : graph.relations()) {
            n += RELATION_LITERALS + JsonOutput.stringLength(r.from()) + JsonOutput.stringLength(r.to())
                    + JsonOutput.stringLength(r.relationType());
        }
        return n;
    }

    /**
     * Writes the bytes of {@link #write(MemoryGraph, boolean)} to {@code sink} as they are made, through
     * a small buffer: a large graph is never held encoded. The sink is not closed.
     *
     * @param graph the graph
     * @param trailingNewline whether to end a non-empty file with {@code \n}
     * @param sink where the bytes go
     * @throws java.io.IOException if the sink fails
     * @throws NullPointerException if an argument is null
     */
    public static void write(MemoryGraph graph, boolean trailingNewline, java.io.OutputStream sink)
            throws java.io.IOException {
        Objects.requireNonNull(graph, "graph");
        JsonOutput out = new JsonOutput(Objects.requireNonNull(sink, "sink"), 1 << 16);
        try {
            if (!graph.isEmpty()) {
                write(graph, trailingNewline, out);
            }
            out.flush();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void write(MemoryGraph graph, boolean trailingNewline, JsonOutput out) {
        boolean first = true;
        for (Entity e : graph.entities()) {
            if (!first) {
                out.ascii('\n');
            }
            first = false;
            entity(out, e);
        }
        for (Relation r : graph.relations()) {
            if (!first) {
                out.ascii('\n');
            }
            first = false;
            relation(out, r);
        }
        if (trailingNewline) {
            out.ascii('\n');
        }
    }

    /** One entity's line, without its newline. */
    static byte[] entityLine(Entity e) {
        JsonOutput out = new JsonOutput(64 + 32 * e.observations().size());
        entity(out, e);
        return out.toByteArray();
    }

    /** One relation's line, without its newline. */
    static byte[] relationLine(Relation r) {
        JsonOutput out = new JsonOutput(96);
        relation(out, r);
        return out.toByteArray();
    }

    private static final String ENTITY_START = "{\"type\":\"entity\",\"name\":";
    private static final String ENTITY_TYPE = ",\"entityType\":";
    private static final String OBSERVATIONS = ",\"observations\":[";
    private static final String ENTITY_END = "]}";
    private static final int ENTITY_LITERALS = ENTITY_START.length() + ENTITY_TYPE.length() + OBSERVATIONS.length()
            + ENTITY_END.length();
    private static final String RELATION_START = "{\"type\":\"relation\",\"from\":";
    private static final String TO = ",\"to\":";
    private static final String RELATION_TYPE = ",\"relationType\":";
    private static final int RELATION_LITERALS = RELATION_START.length() + TO.length() + RELATION_TYPE.length() + 1;

    private static void entity(JsonOutput out, Entity e) {
        out.ascii(ENTITY_START).string(e.name())
                .ascii(ENTITY_TYPE).string(e.entityType())
                .ascii(OBSERVATIONS);
        List<String> obs = e.observations();
        for (int i = 0; i < obs.size(); i++) {
            if (i > 0) {
                out.ascii(',');
            }
            out.string(obs.get(i));
        }
        out.ascii(ENTITY_END);
    }

    private static void relation(JsonOutput out, Relation r) {
        out.ascii(RELATION_START).string(r.from())
                .ascii(TO).string(r.to())
                .ascii(RELATION_TYPE).string(r.relationType())
                .ascii('}');
    }

    /** The fields a record is read for, each at most once (a bit each in a record's check). */
    private static final List<String> KNOWN_FIELDS = List.of("type", "name", "entityType", "observations", "from",
            "to", "relationType");

    /** One parse of one file; collects the graph and the warnings. */
    private static final class Reader {
        private final byte[] bytes;
        private final int start;
        private final String source;
        private final List<String> warnings = new ArrayList<>();
        private final Map<String, EntityDraft> entities = new LinkedHashMap<>();
        private final Set<Relation> relations = new LinkedHashSet<>();
        private final Set<String> unknownFields = new HashSet<>();
        /** One String per distinct type and per name no entity line holds (see {@link #name}). */
        private final Map<String, String> shared = new HashMap<>();
        private boolean objectForm;

        Reader(byte[] bytes, int start, String source) {
            this.bytes = bytes;
            this.start = start;
            this.source = source;
        }

        MemoryFile read() throws IOException {
            MemoryFile.Format format = detect();
            if (format == null) {
                return new MemoryFile(MemoryGraph.empty(), MemoryFile.Format.JSONL, endsWithNewline(), warnings);
            }
            try (JsonParser p = JSON.createParser(bytes, start, bytes.length - start)) {
                switch (format) {
                    case JSONL -> readLines(p);
                    case JSON_ARRAY -> readArray(p);
                    default -> readObject(p);
                }
            }
            List<Entity> es = new ArrayList<>(entities.size());
            for (EntityDraft d : entities.values()) {
                es.add(new Entity(d.name, d.type, d.observations));
            }
            MemoryGraph graph = MemoryGraph.ofDistinct(es, new ArrayList<>(relations));
            boolean trailing = format == MemoryFile.Format.JSONL && endsWithNewline();
            return new MemoryFile(graph, format, trailing, warnings);
        }

        private boolean endsWithNewline() {
            return bytes.length > start && bytes[bytes.length - 1] == '\n';
        }

        /** Returns the layout, or null for a file with nothing but white space. */
        private MemoryFile.@Nullable Format detect() throws IOException {
            try (JsonParser p = JSON.createParser(bytes, start, bytes.length - start)) {
                JsonToken t = p.nextToken();
                if (t == null) {
                    return null;
                }
                if (t == JsonToken.START_ARRAY) {
                    return MemoryFile.Format.JSON_ARRAY;
                }
                if (t != JsonToken.START_OBJECT) {
                    throw error(p.currentTokenLocation(), "expected a JSON object, found " + describe(t));
                }
                boolean hasType = false;
                boolean hasLists = false;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    hasType |= f.equals("type");
                    hasLists |= f.equals("entities") || f.equals("relations");
                    p.nextToken();
                    p.skipChildren();
                }
                return !hasType && hasLists ? MemoryFile.Format.JSON_OBJECT : MemoryFile.Format.JSONL;
            }
        }

        private void readLines(JsonParser p) throws IOException {
            int lastLine = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                JsonLocation at = p.currentTokenLocation();
                int line = at.getLineNr();
                if (line == lastLine) {
                    throw error(at, "more than one JSON value on one line");
                }
                if (t != JsonToken.START_OBJECT) {
                    throw error(at, "expected a JSON object, found " + describe(t));
                }
                readRecord(p, at, true);
                lastLine = p.currentLocation().getLineNr();
                if (lastLine != line) {
                    throw error(at, "a record must stay on one line");
                }
            }
        }

        private void readArray(JsonParser p) throws IOException {
            p.nextToken();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.START_OBJECT) {
                    throw error(p.currentTokenLocation(), "expected a JSON object, found " + describe(t));
                }
                readRecord(p, p.currentTokenLocation(), true);
            }
            trailingGarbage(p);
        }

        private void readObject(JsonParser p) throws IOException {
            objectForm = true;
            p.nextToken();
            Set<String> seen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                if (!seen.add(f)) {
                    throw error(p.currentTokenLocation(), "duplicate field '" + f + "'");
                }
                JsonToken t = p.nextToken();
                if (f.equals("entities") || f.equals("relations")) {
                    if (t != JsonToken.START_ARRAY) {
                        throw error(p.currentTokenLocation(), "'" + f + "' must be an array, found " + describe(t));
                    }
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (t != JsonToken.START_OBJECT) {
                            throw error(p.currentTokenLocation(), "expected a JSON object, found " + describe(t));
                        }
                        readRecord(p, p.currentTokenLocation(), f.equals("entities"));
                    }
                } else {
                    ignoreField(p, f);
                    p.skipChildren();
                }
            }
            trailingGarbage(p);
        }

        private void trailingGarbage(JsonParser p) throws IOException {
            JsonToken t = p.nextToken();
            if (t != null) {
                throw error(p.currentTokenLocation(), "unexpected content after the top-level value");
            }
        }

        /**
         * Reads one entity or relation object; the parser stands on its START_OBJECT. In the object
         * form, {@code defaultEntity} tells which list the object is in when it has no "type".
         */
        private void readRecord(JsonParser p, JsonLocation at, boolean defaultEntity) throws IOException {
            int seen = 0; // one bit per known field, to refuse a repeated one
            List<String> otherFields = null;
            String type = null;
            String name = null;
            String entityType = null;
            List<String> observations = null;
            String from = null;
            String to = null;
            String relationType = null;
            JsonLocation observationsAt = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                int bit = KNOWN_FIELDS.indexOf(f);
                if (bit >= 0) {
                    if ((seen & 1 << bit) != 0) {
                        throw error(p.currentTokenLocation(), "duplicate field '" + f + "'");
                    }
                    seen |= 1 << bit;
                } else {
                    if (otherFields == null) {
                        otherFields = new ArrayList<>(2);
                    }
                    if (otherFields.contains(f)) {
                        throw error(p.currentTokenLocation(), "duplicate field '" + f + "'");
                    }
                    otherFields.add(f);
                }
                JsonToken t = p.nextToken();
                switch (f) {
                    case "type" -> type = text(p, t, f);
                    case "name" -> name = text(p, t, f);
                    case "entityType" -> entityType = text(p, t, f);
                    case "from" -> from = text(p, t, f);
                    case "to" -> to = text(p, t, f);
                    case "relationType" -> relationType = text(p, t, f);
                    case "observations" -> {
                        observationsAt = p.currentTokenLocation();
                        if (t != JsonToken.START_ARRAY) {
                            throw error(observationsAt, "field 'observations' must be an array of strings, found " + describe(t));
                        }
                        observations = new ArrayList<>();
                        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                            if (t != JsonToken.VALUE_STRING) {
                                throw error(p.currentTokenLocation(), "field 'observations' must hold only strings, found " + describe(t));
                            }
                            observations.add(p.getText());
                        }
                    }
                    default -> {
                        ignoreField(p, f);
                        p.skipChildren();
                    }
                }
            }
            if (type == null) {
                if (!objectForm) {
                    throw error(at, "missing field 'type'");
                }
                type = defaultEntity ? "entity" : "relation";
            }
            switch (type) {
                case "entity" -> {
                    String n = require(at, name, "name", type);
                    String et = require(at, entityType, "entityType", type);
                    List<String> obs = require(at, observations, "observations", type);
                    addEntity(at.getLineNr(), n, shared(et), obs);
                }
                case "relation" -> {
                    String fromName = require(at, from, "from", type);
                    String toName = require(at, to, "to", type);
                    String rt = require(at, relationType, "relationType", type);
                    Relation r = new Relation(name(fromName), shared(rt), name(toName));
                    if (!relations.add(r)) {
                        warnings.add("line " + at.getLineNr() + ": duplicate relation " + r.from() + " -"
                                + r.relationType() + "-> " + r.to() + " dropped");
                    }
                }
                default -> throw error(at, "unknown line type '" + type + "' (expected 'entity' or 'relation')");
            }
        }

        private void addEntity(int line, String name, String type, List<String> observations) {
            EntityDraft d = entities.get(name);
            if (d == null) {
                d = new EntityDraft(name, type, line);
                entities.put(name, d);
            } else {
                warnings.add("line " + line + ": entity '" + name + "' repeats line " + d.line + "; merged"
                        + (d.type.equals(type) ? "" : " (kept type '" + d.type + "', ignored '" + type + "')"));
            }
            for (String o : observations) {
                if (!d.add(o)) {
                    warnings.add("line " + line + ": duplicate observation of '" + name + "' dropped");
                }
            }
        }

        /**
         * The entity's own String for a relation's endpoint when the entity was read already (relations
         * follow entities in the files servers write), so a name is held once, not once a relation end.
         */
        private String name(String endpoint) {
            EntityDraft d = entities.get(endpoint);
            return d != null ? d.name : shared(endpoint);
        }

        private String shared(String value) {
            String known = shared.putIfAbsent(value, value);
            return known != null ? known : value;
        }

        private void ignoreField(JsonParser p, String field) {
            if (unknownFields.add(field)) {
                warnings.add("line " + p.currentTokenLocation().getLineNr() + ": unknown field '" + field
                        + "' ignored (the MCP server drops it too)");
            }
        }

        private String text(JsonParser p, JsonToken t, String field) throws IOException {
            if (t != JsonToken.VALUE_STRING) {
                throw error(p.currentTokenLocation(), "field '" + field + "' must be a string, found " + describe(t));
            }
            return p.getText();
        }

        private <T> T require(JsonLocation at, @Nullable T value, String field, String type) {
            if (value == null) {
                throw error(at, type + " is missing field '" + field + "'");
            }
            return value;
        }

        private MemoryFormatException error(JsonLocation at, String reason) {
            return new MemoryFormatException(source, at.getLineNr(), at.getColumnNr(), reason, null);
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    /** An entity being assembled from one or more records of the same name. */
    private static final class EntityDraft {
        final String name;
        final String type;
        final int line;
        final List<String> observations = new ArrayList<>(4);
        private @Nullable Set<String> index; // only for entities with many observations

        EntityDraft(String name, String type, int line) {
            this.name = name;
            this.type = type;
            this.line = line;
        }

        /** Adds an observation unless present; a linear scan while the list is short (the usual case). */
        boolean add(String observation) {
            if (index == null && observations.size() < 16) {
                if (observations.contains(observation)) {
                    return false;
                }
                observations.add(observation);
                return true;
            }
            if (index == null) {
                index = new HashSet<>(observations);
            }
            if (!index.add(observation)) {
                return false;
            }
            observations.add(observation);
            return true;
        }
    }
}
