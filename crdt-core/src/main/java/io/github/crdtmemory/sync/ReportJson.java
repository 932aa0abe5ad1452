/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.internal.CountsJson;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.AtomKey.EntityKey;
import io.github.crdtmemory.memory.AtomKey.ObservationKey;
import io.github.crdtmemory.memory.AtomKey.RelationKey;
import io.github.crdtmemory.store.Quarantine;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The stable JSON form of a {@link SyncReport}. */
final class ReportJson {
    private static final JsonFactory JSON = new JsonFactory();

    private ReportJson() {
    }

    static String write(SyncReport r) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("format", "crdt-memory-sync-report");
            g.writeNumberField("version", 1);
            g.writeStringField("replica", r.replica().value());
            g.writeStringField("memoryFile", r.memoryFile());
            g.writeStringField("store", r.store());
            CountsJson.write(g, "counts", r.counts());
            keys(g, "added", r.added());
            keys(g, "changed", r.changed());
            keys(g, "deleted", r.deleted());
            g.writeNumberField("replicasRead", r.replicasRead());
            conflicts(g, r.conflicts());
            anomalies(g, r.clockAnomalies());
            g.writeStringField("publication", r.publication().name().toLowerCase(Locale.ROOT));
            g.writeNumberField("publishAttempts", r.publishAttempts());
            g.writeStringField("writeBack", r.writeBack().name().toLowerCase(Locale.ROOT));
            g.writeObjectFieldStart("checksums");
            g.writeStringField("memoryFileBefore", r.checksums().memoryFileBefore());
            g.writeStringField("memoryFileAfter", r.checksums().memoryFileAfter());
            g.writeStringField("stateBefore", r.checksums().stateBefore());
            g.writeStringField("stateAfter", r.checksums().stateAfter());
            g.writeEndObject();
            g.writeObjectFieldStart("timingsMillis");
            for (Map.Entry<String, java.time.Duration> t : r.timings().entrySet()) {
                g.writeNumberField(t.getKey(), t.getValue().toMillis());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("warnings");
            for (String w : r.warnings()) {
                g.writeString(w);
            }
            g.writeEndArray();
            g.writeStringField("keptCopy", r.keptCopy());
            quarantined(g, r.quarantined());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string cannot fail", e);
        }
        return out.toString();
    }

    /** {@code "quarantined":[{"replica":..,"reason":..}]}; shared with the status JSON. */
    static void quarantined(JsonGenerator g, List<Quarantine> quarantined) throws IOException {
        g.writeArrayFieldStart("quarantined");
        for (Quarantine q : quarantined) {
            g.writeStartObject();
            g.writeStringField("replica", q.replica().value());
            g.writeStringField("reason", q.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void conflicts(JsonGenerator g, List<SyncReport.Conflict> conflicts) throws IOException {
        g.writeArrayFieldStart("conflicts");
        for (SyncReport.Conflict c : conflicts) {
            g.writeStartObject();
            g.writeFieldName("key");
            key(g, c.key());
            g.writeFieldName("kept");
            stamp(g, c.kept());
            g.writeFieldName("discarded");
            stamp(g, c.discarded());
            g.writeBooleanField("localWon", c.localWon());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void anomalies(JsonGenerator g, List<SyncReport.ClockAnomaly> anomalies) throws IOException {
        g.writeArrayFieldStart("clockAnomalies");
        for (SyncReport.ClockAnomaly a : anomalies) {
            g.writeStartObject();
            g.writeStringField("replica", a.replica().value());
            g.writeFieldName("stamp");
            stamp(g, a.stamp());
            g.writeNumberField("physicalMillis", a.physicalMillis());
            g.writeNumberField("aheadMillis", a.ahead().toMillis());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void keys(JsonGenerator g, String field, List<AtomKey> keys) throws IOException {
        g.writeArrayFieldStart(field);
        for (AtomKey k : keys) {
            key(g, k);
        }
        g.writeEndArray();
    }

    private static void key(JsonGenerator g, AtomKey k) throws IOException {
        g.writeStartObject();
        if (k instanceof EntityKey e) {
            g.writeStringField("kind", "entity");
            g.writeStringField("name", e.name());
        } else if (k instanceof ObservationKey o) {
            g.writeStringField("kind", "observation");
            g.writeStringField("entity", o.entity());
            g.writeStringField("text", o.text());
        } else {
            RelationKey r = (RelationKey) k;
            g.writeStringField("kind", "relation");
            g.writeStringField("from", r.from());
            g.writeStringField("relationType", r.relationType());
            g.writeStringField("to", r.to());
        }
        g.writeEndObject();
    }

    private static void stamp(JsonGenerator g, Stamp s) throws IOException {
        g.writeStartArray();
        g.writeNumber(s.wallMillis());
        g.writeNumber(s.counter());
        g.writeString(s.replica().value());
        g.writeEndArray();
    }
}
