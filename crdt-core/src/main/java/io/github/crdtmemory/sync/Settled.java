/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.AtomCounts;
import io.github.crdtmemory.store.Revision;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where a completed {@code sync} left everything, so that the next one can stop before decoding
 * anything when nothing changed since: the memory file's SHA-256 and size, the identities of the
 * checkpoint's two files, the store and the revision of every replica it merged (its own as it
 * published it), and what the report of a cycle with nothing to do says (counts, the state's SHA-256,
 * replicas read). Kept in the state directory's {@code settled} file, written after the cycle's last
 * save; checked in full by every sync, so a record that no longer holds is only replaced by the next
 * one. Immutable.
 *
 * <p>When the memory file holds the bytes of the last write-back (or of the unchanged file), the
 * checkpoint's files are as the cycle left them, and every revision is the one merged, a full cycle
 * would find no edit, merge the same states into the same state, find its publication current and
 * the view equal to the file: it would change nothing, so stopping is the same outcome.
 *
 * @param replica the replica
 * @param memoryFile the memory file's path
 * @param memorySha256 the SHA-256 of the memory file's content
 * @param memorySize its size in bytes
 * @param checkpoint the identity of the checkpoint's snapshot file (see {@link FileId#describe})
 * @param journal the identity of its journal, or {@code ""} when there is none
 * @param store the store's description
 * @param revisions every replica's revision merged (and this replica's as published)
 * @param counts the own state's counts
 * @param stateSha256 the SHA-256 of the own state's canonical encoding
 * @param replicasRead the replicas the store held
 */
record Settled(ReplicaId replica, String memoryFile, String memorySha256, long memorySize, String checkpoint,
               String journal, String store, SortedMap<ReplicaId, Revision> revisions, AtomCounts counts,
               String stateSha256, int replicasRead) {
    static final String FILE = "settled";
    private static final String FORMAT = "crdt-memory-settled";
    private static final int VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();

    Settled {
        Objects.requireNonNull(replica, "replica");
        revisions = new TreeMap<>(revisions);
    }

    /** The record's bytes: one JSON line. */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeNumberField("version", VERSION);
            g.writeStringField("replica", replica.value());
            g.writeStringField("memoryFile", memoryFile);
            g.writeStringField("memorySha256", memorySha256);
            g.writeNumberField("memorySize", memorySize);
            g.writeStringField("checkpoint", checkpoint);
            g.writeStringField("journal", journal);
            g.writeStringField("store", store);
            g.writeObjectFieldStart("revisions");
            for (Map.Entry<ReplicaId, Revision> e : revisions.entrySet()) {
                g.writeStringField(e.getKey().value(), e.getValue().token());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("counts");
            g.writeNumber(counts.entities());
            g.writeNumber(counts.observations());
            g.writeNumber(counts.relations());
            g.writeNumber(counts.tombstones());
            g.writeEndArray();
            g.writeStringField("stateSha256", stateSha256);
            g.writeNumberField("replicasRead", replicasRead);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** The record in {@code bytes}, or empty when they are not a record of this version (then: no early stop). */
    static Optional<Settled> decode(byte[] bytes) {
        Map<String, String> f = new TreeMap<>();
        SortedMap<ReplicaId, Revision> revisions = new TreeMap<>();
        long[] counts = new long[4];
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("revisions") && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String r = p.currentName();
                        p.nextToken();
                        revisions.put(ReplicaId.of(r), new Revision(p.getValueAsString()));
                    }
                } else if (name.equals("counts") && t == JsonToken.START_ARRAY) {
                    for (int i = 0; p.nextToken() == JsonToken.VALUE_NUMBER_INT; i++) {
                        counts[i] = p.getLongValue(); // a fifth count is an ArrayIndexOutOfBounds: no record
                    }
                } else if (t.isScalarValue()) {
                    f.put(name, p.getValueAsString());
                } else {
                    p.skipChildren();
                }
            }
            if (!FORMAT.equals(f.get("format")) || !String.valueOf(VERSION).equals(f.get("version"))) {
                return Optional.empty();
            }
            return Optional.of(new Settled(ReplicaId.of(field(f, "replica")), field(f, "memoryFile"),
                    field(f, "memorySha256"), Long.parseLong(field(f, "memorySize")), field(f, "checkpoint"),
                    field(f, "journal"), field(f, "store"), revisions, new AtomCounts((int) counts[0], (int) counts[1],
                            (int) counts[2], (int) counts[3]), field(f, "stateSha256"),
                    Integer.parseInt(field(f, "replicasRead"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a damaged record only costs the early stop
        }
    }

    /** A field the record must have; a record without it is damaged (no early stop). */
    private static String field(Map<String, String> fields, String name) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the settled record has no " + name);
        }
        return value;
    }
}
