/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.git.GitStore;
import io.github.crdtmemory.internal.CountsJson;
import io.github.crdtmemory.memory.AtomCounts;
import io.github.crdtmemory.store.HistoryEntry;
import io.github.crdtmemory.store.ReplicaStore;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code history}: the published states of a replica, or the versions of the unified view on main. */
@Command(name = "history", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "List the states a replica published (with --replica) or the versions of the unified view "
                + "on main (the default), newest first: revision, time, counts and SHA-256. Needs a git store.")
final class HistoryCommand extends WorkingCommand {
    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N entries. "
            + "Default: ${DEFAULT-VALUE}.")
    int limit;

    private record Row(@Nullable String replica, String revision, Instant time, AtomCounts counts, String sha256) {
    }

    @Override
    public Integer call() throws Exception {
        if (limit < 1) {
            throw CommandFailure.usage("--limit must be at least 1");
        }
        Workspace w = workspace();
        List<Row> rows = new ArrayList<>();
        String subject;
        try (ReplicaStore store = w.openStore()) {
            Versions versions = new Versions(store);
            if (shared.replica != null) {
                ReplicaId replica = SharedOptions.replicaId(shared.replica, "--replica");
                subject = "replica " + replica;
                for (HistoryEntry e : versions.history().log(replica, limit)) {
                    rows.add(new Row(replica.value(), e.revision().token(), e.time(), e.counts(), e.sha256()));
                }
            } else if (store instanceof GitStore git) {
                subject = "main";
                for (GitStore.UnifiedEntry e : git.unifiedLog(limit)) {
                    rows.add(new Row(null, e.revision().token(), e.time(), e.counts(), e.sha256()));
                }
            } else {
                versions.history(); // says the store keeps none
                throw CommandFailure.usage("only a git store keeps a unified view; pass --replica ID");
            }
            print(json(store.description(), subject, rows), human(subject, rows));
        }
        return ExitStatus.OK;
    }

    private static String json(String store, String subject, List<Row> rows) throws java.io.IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("format", "crdt-memory-history");
            g.writeNumberField("version", 1);
            g.writeStringField("store", store);
            g.writeStringField("subject", subject);
            g.writeArrayFieldStart("entries");
            for (Row r : rows) {
                g.writeStartObject();
                g.writeStringField("revision", r.revision());
                g.writeStringField("time", r.time().toString());
                if (r.replica() == null) {
                    g.writeNullField("replica");
                } else {
                    g.writeStringField("replica", r.replica());
                }
                CountsJson.write(g, "counts", r.counts());
                g.writeStringField("sha256", r.sha256());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return w.toString();
    }

    private static String human(String subject, List<Row> rows) {
        StringBuilder out = new StringBuilder("history of " + subject + " (newest first)\n");
        if (rows.isEmpty()) {
            out.append("  nothing published yet\n");
        }
        for (Row r : rows) {
            out.append("  ").append(r.revision(), 0, 12).append("  ").append(r.time()).append("  ")
                    .append(Reports.counts(r.counts())).append("  sha256:").append(r.sha256(), 0, 12).append('\n');
        }
        return out.toString();
    }
}
