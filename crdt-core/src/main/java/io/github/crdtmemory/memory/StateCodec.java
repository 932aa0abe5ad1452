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
import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Register;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.JsonOutput;
import io.github.crdtmemory.memory.AtomKey.EntityKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import io.github.crdtmemory.memory.AtomKey.RelationKey;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The canonical byte form of a {@link MemoryState}: a replica state file.
 *
 * <p>The file is UTF-8 JSONL. The first line is the header
 * {@code {"format":"crdt-memory-state","version":1}}; then one line per atom, in key order, with a
 * fixed field order, every line ending in {@code \n}:
 * <pre>
 * {"atom":"entity","name":"Ada","stamp":[1732280000000,0,"alice"],"live":true,"value":"person"}
 * {"atom":"observation","entity":"Ada","text":"wrote the first program","stamp":[...],"live":true,"value":""}
 * {"atom":"relation","from":"Ada","relationType":"knows","to":"Babbage","stamp":[...],"live":false,"value":""}
 * </pre>
 * Equal states give equal bytes and equal bytes give equal states, so git sees no spurious change and
 * {@code merge(a, b)} and {@code merge(b, a)} store the same blob.
 *
 * <p>Decoding is strict: a missing or unknown header, version, field or atom kind, a negative stamp
 * component, a stamp beyond the far-future bound of {@link Timestamp} (wall time after
 * 9999-12-31T23:59:59.999Z) or an invalid replica id is a {@link MemoryFormatException} with file,
 * line and column, and the message names the bad stamp. So one replica's corrupt or hostile stamp is
 * refused where its state is read, and never reaches a clock. Encoding refuses such a stamp too.
 * Atoms may appear in any order and a key twice (their registers are joined), so a hand-merged file
 * still reads.
 *
 * <p>Stateless and thread-safe.
 */
public final class StateCodec {
    /** The {@code format} value of the header line. */
    public static final String FORMAT = "crdt-memory-state";
    /** The version this codec writes and reads. */
    public static final int VERSION = 1;

    private static final String HEADER = "{\"format\":\"" + FORMAT + "\",\"version\":" + VERSION + "}\n";
    /** Duplicate fields are detected by the decoder itself, cheaper than Jackson's per-object set. */
    private static final JsonFactory JSON = JsonFactory.builder().build();
    /** The literals of an atom line, around its strings and numbers. */
    private static final String ENTITY = "{\"atom\":\"entity\",\"name\":";
    private static final String OBSERVATION = "{\"atom\":\"observation\",\"entity\":";
    private static final String TEXT = ",\"text\":";
    private static final String RELATION = "{\"atom\":\"relation\",\"from\":";
    private static final String RELATION_TYPE = ",\"relationType\":";
    private static final String TO = ",\"to\":";
    private static final String STAMP = ",\"stamp\":[";
    private static final String LIVE = "],\"live\":true,\"value\":";
    private static final String TOMBSTONE = "],\"live\":false,\"value\":";
    private static final String END = "}\n";

    private StateCodec() {
    }

    /**
     * Encodes a state canonically.
     *
     * @param state the state
     * @return the file's bytes
     * @throws NullPointerException if {@code state} is null
     * @throws IllegalArgumentException if a stamp is beyond the far-future bound of {@link Timestamp}
     */
    public static byte[] encode(MemoryState state) {
        Objects.requireNonNull(state, "state");
        LwwMap<AtomKey> atoms = state.atoms();
        // sized exactly first: the bytes are made once, never grown and copied (a 400,000-atom state is 60 MB)
        JsonOutput out = new JsonOutput((int) Math.min(Integer.MAX_VALUE - 16, size(atoms)));
        encode(atoms, out);
        return out.toByteArray();
    }

    /**
     * Writes the bytes of {@link #encode(MemoryState)} to {@code sink} as they are made, through a small
     * buffer: a large state is never held encoded. The sink is not closed.
     *
     * @param state the state
     * @param sink where the bytes go
     * @throws IOException if the sink fails
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a stamp is beyond the far-future bound of {@link Timestamp}
     */
    public static void encode(MemoryState state, java.io.OutputStream sink) throws IOException {
        Objects.requireNonNull(state, "state");
        JsonOutput out = new JsonOutput(Objects.requireNonNull(sink, "sink"), 1 << 16);
        try {
            encode(state.atoms(), out);
            out.flush();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void encode(LwwMap<AtomKey> atoms, JsonOutput out) {
        out.ascii(HEADER);
        for (LwwMap.Cursor<AtomKey> c = atoms.cursor(); c.hasEntry(); c.advance()) {
            AtomKey key = c.key();
            Register r = c.register();
            if (key instanceof EntityKey e) {
                out.ascii(ENTITY).string(e.name());
            } else if (key instanceof ObservationKey o) {
                out.ascii(OBSERVATION).string(o.entity()).ascii(TEXT).string(o.text());
            } else {
                RelationKey k = (RelationKey) key;
                out.ascii(RELATION).string(k.from()).ascii(RELATION_TYPE).string(k.relationType())
                        .ascii(TO).string(k.to());
            }
            Stamp s = r.stamp();
            if (!s.isWithinBound()) {
                throw new IllegalArgumentException("stamp " + s + " of " + key
                        + " is beyond the far-future bound: no decoder would read it back");
            }
            out.ascii(STAMP).number(s.wallMillis()).ascii(',').number(s.counter()).ascii(',')
                    .string(s.replica().value())
                    .ascii(r.live() ? LIVE : TOMBSTONE)
                    .string(r.value())
                    .ascii(END);
        }
    }

    /**
     * The length of {@link #encode}'s output, to the byte (every literal above is ASCII): the array is
     * allocated once, exactly sized (a large state is not copied while it grows, nor trimmed after).
     */
    static long size(LwwMap<AtomKey> atoms) {
        long n = HEADER.length();
        for (LwwMap.Cursor<AtomKey> c = atoms.cursor(); c.hasEntry(); c.advance()) {
            AtomKey key = c.key();
            Register r = c.register();
            if (key instanceof EntityKey e) {
                n += ENTITY.length() + JsonOutput.stringLength(e.name());
            } else if (key instanceof ObservationKey o) {
                n += OBSERVATION.length() + JsonOutput.stringLength(o.entity()) + TEXT.length()
                        + JsonOutput.stringLength(o.text());
            } else {
                RelationKey k = (RelationKey) key;
                n += RELATION.length() + JsonOutput.stringLength(k.from()) + RELATION_TYPE.length()
                        + JsonOutput.stringLength(k.relationType()) + TO.length() + JsonOutput.stringLength(k.to());
            }
            Stamp s = r.stamp();
            n += STAMP.length() + JsonOutput.numberLength(s.wallMillis()) + 1 + JsonOutput.numberLength(s.counter())
                    + 1 + JsonOutput.stringLength(s.replica().value()) + (r.live() ? LIVE : TOMBSTONE).length()
                    + JsonOutput.stringLength(r.value()) + END.length();
        }
        return n;
    }

    /**
     * Decodes a replica state file.
     *
     * @param bytes the file's content
     * @param source the file's name, used in messages
     * @return the state
     * @throws MemoryFormatException if the content is not a valid state file
     * @throws NullPointerException if an argument is null
     */
    public static MemoryState decode(byte[] bytes, String source) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(source, "source");
        int bad = Utf8Check.firstInvalid(bytes);
        if (bad >= 0) {
            int[] at = Utf8Check.position(bytes, bad);
            throw new MemoryFormatException(source, at[0], at[1], "invalid UTF-8", null);
        }
        try (JsonParser p = JSON.createParser(bytes)) {
            return new Decoder(p, source).read();
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new MemoryFormatException(source, loc == null ? 0 : loc.getLineNr(),
                    loc == null ? 0 : loc.getColumnNr(), "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MemoryFormatException(source, 0, 0, "unreadable: " + e.getMessage(), e);
        }
    }

    /** One decoding pass. Replica ids repeat on every line, so they are shared, not re-validated. */
    private static final class Decoder {
        private final JsonParser p;
        private final String source;
        private final Map<String, ReplicaId> replicas = new HashMap<>();
        /** One String per distinct name, type and value: an entity's name recurs in each of its atoms. */
        private final Map<String, String> names = new HashMap<>();

        Decoder(JsonParser p, String source) {
            this.p = p;
            this.source = source;
        }

        MemoryState read() throws IOException {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new MemoryFormatException(source, 1, 1, "empty state file: missing the header line", null);
            }
            readHeader(t);
            LwwMap.Builder<AtomKey> atoms = LwwMap.builder();
            while ((t = p.nextToken()) != null) {
                JsonLocation at = p.currentTokenLocation();
                if (t != JsonToken.START_OBJECT) {
                    throw error(at, "expected an atom object");
                }
                readAtom(at, atoms);
            }
            return MemoryState.of(atoms.build());
        }

        private void readHeader(JsonToken t) throws IOException {
            JsonLocation at = p.currentTokenLocation();
            if (t != JsonToken.START_OBJECT) {
                throw error(at, "expected the header object");
            }
            String format = null;
            Integer version = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if ((f.equals("format") && format != null) || (f.equals("version") && version != null)) {
                    throw error(p.currentTokenLocation(), "duplicate header field '" + f + "'");
                }
                if (f.equals("format") && v == JsonToken.VALUE_STRING) {
                    format = p.getText();
                } else if (f.equals("version") && v == JsonToken.VALUE_NUMBER_INT) {
                    version = p.getIntValue();
                } else {
                    throw error(p.currentTokenLocation(), "unexpected header field '" + f + "'");
                }
            }
            if (!FORMAT.equals(format)) {
                throw error(at, "not a replica state file (header format is " + quoted(format) + ", expected '" + FORMAT + "')");
            }
            if (version == null || version != VERSION) {
                throw error(at, "unsupported state file version " + version + " (this library reads version " + VERSION + ")");
            }
        }

        private void readAtom(JsonLocation at, LwwMap.Builder<AtomKey> atoms) throws IOException {
            String atom = null;
            String name = null;
            String entity = null;
            String text = null;
            String from = null;
            String relationType = null;
            String to = null;
            int keyFields = 0;
            Stamp stamp = null;
            Boolean live = null;
            String value = null;
            int seen = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                int bit = switch (f) {
                    case "atom" -> 1;
                    case "name" -> 2;
                    case "entity" -> 4;
                    case "text" -> 8;
                    case "from" -> 16;
                    case "relationType" -> 32;
                    case "to" -> 64;
                    case "stamp" -> 128;
                    case "live" -> 256;
                    case "value" -> 512;
                    default -> 0;
                };
                if ((seen & bit) != 0) {
                    throw error(p.currentTokenLocation(), "duplicate field '" + f + "'");
                }
                seen |= bit;
                switch (f) {
                    case "atom" -> atom = string(v, f);
                    case "name" -> {
                        name = string(v, f);
                        keyFields++;
                    }
                    case "entity" -> {
                        entity = string(v, f);
                        keyFields++;
                    }
                    case "text" -> {
                        text = string(v, f);
                        keyFields++;
                    }
                    case "from" -> {
                        from = string(v, f);
                        keyFields++;
                    }
                    case "relationType" -> {
                        relationType = string(v, f);
                        keyFields++;
                    }
                    case "to" -> {
                        to = string(v, f);
                        keyFields++;
                    }
                    case "stamp" -> stamp = readStamp(v);
                    case "live" -> {
                        if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
                            throw error(p.currentTokenLocation(), "field 'live' must be true or false");
                        }
                        live = v == JsonToken.VALUE_TRUE;
                    }
                    case "value" -> value = string(v, f);
                    default -> throw error(p.currentTokenLocation(), "unknown field '" + f + "'");
                }
            }
            if (atom == null) {
                throw error(at, "missing field 'atom'");
            }
            AtomKey key;
            int expectedFields;
            switch (atom) {
                case "entity" -> {
                    key = new EntityKey(shared(need(name, "name", at, atom)));
                    expectedFields = 1;
                }
                case "observation" -> {
                    key = new ObservationKey(shared(need(entity, "entity", at, atom)), need(text, "text", at, atom));
                    expectedFields = 2;
                }
                case "relation" -> {
                    key = new RelationKey(shared(need(from, "from", at, atom)),
                            shared(need(relationType, "relationType", at, atom)), shared(need(to, "to", at, atom)));
                    expectedFields = 3;
                }
                default -> throw error(at, "unknown atom kind '" + atom + "'");
            }
            if (keyFields != expectedFields) {
                throw error(at, "fields that do not belong to a " + atom + " atom");
            }
            if (stamp == null || live == null || value == null) {
                throw error(at, atom + " atom is missing field '"
                        + (stamp == null ? "stamp" : live == null ? "live" : "value") + "'");
            }
            atoms.put(key, new Register(stamp, live, value.isEmpty() ? "" : shared(value)));
        }

        /**
         * The one String for this name (of an entity, a relation type, a value): an entity's name is in
         * its entity atom, each of its observations and each relation from or to it; one copy each
         * saves about 50 bytes an atom.
         */
        private String shared(String name) {
            String known = names.putIfAbsent(name, name);
            return known != null ? known : name;
        }

        private Stamp readStamp(JsonToken t) throws IOException {
            JsonLocation at = p.currentTokenLocation();
            String shape = "field 'stamp' must be [wallMillis, counter, replica]";
            if (t != JsonToken.START_ARRAY) {
                throw error(at, shape);
            }
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                throw error(at, shape);
            }
            long wall = p.getLongValue();
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                throw error(at, shape);
            }
            long counter = p.getLongValue();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw error(at, shape);
            }
            String replica = p.getText();
            if (p.nextToken() != JsonToken.END_ARRAY) {
                throw error(at, shape);
            }
            if (wall < 0 || counter < 0 || counter > Integer.MAX_VALUE) {
                throw error(at, "stamp components out of range: " + wall + ", " + counter);
            }
            if (wall > Timestamp.MAX_WALL_MILLIS) {
                throw error(at, "stamp [" + wall + "," + counter + "," + quoted(replica)
                        + "] is beyond the far-future bound (wall time after 9999-12-31T23:59:59.999Z, "
                        + Timestamp.MAX_WALL_MILLIS + ")");
            }
            ReplicaId id = replicas.get(replica);
            if (id == null) {
                if (!ReplicaId.isValid(replica)) {
                    throw error(at, "invalid replica id in stamp: " + quoted(replica));
                }
                id = ReplicaId.of(replica);
                replicas.put(replica, id);
            }
            return new Stamp(wall, (int) counter, id);
        }

        private String string(JsonToken t, String field) throws IOException {
            if (t != JsonToken.VALUE_STRING) {
                throw error(p.currentTokenLocation(), "field '" + field + "' must be a string");
            }
            return p.getText();
        }

        private String need(@Nullable String v, String f, JsonLocation at, String atom) {
            if (v == null) {
                throw error(at, atom + " atom is missing field '" + f + "'");
            }
            return v;
        }

        private MemoryFormatException error(JsonLocation at, String reason) {
            return new MemoryFormatException(source, at.getLineNr(), at.getColumnNr(), reason, null);
        }
    }

    private static String quoted(@Nullable String s) {
        return s == null ? "missing" : "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
    }
}
