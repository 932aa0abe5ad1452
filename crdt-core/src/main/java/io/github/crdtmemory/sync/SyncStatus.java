/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.CountsJson;
import io.github.crdtmemory.memory.AtomCounts;
import io.github.crdtmemory.store.Quarantine;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one replica's sync of one memory file stands, from {@link SyncEngine#status()}. Immutable.
 *
 * @param replica the local replica
 * @param memoryFile the memory file
 * @param memoryFileExists whether the memory file exists
 * @param stateDir the sync state directory
 * @param store the store's redacted description
 * @param lastSync when the last sync, backup or restore completed, if one did
 * @param counts the atoms of the own state (the join of all this replica has seen), by kind
 * @param localEdits atoms the memory file's edits since the last cycle would stamp; not yet in any state
 * @param unpublishedAtoms atoms of the own state that the store does not hold as published by this
 *     replica (0 when everything is backed up)
 * @param replicasInStore how many replicas the store holds
 * @param massDeletion whether the next sync, backup or restore will stop with
 *     {@link MassDeletionException} (the file's edits delete most of the memory), under these settings
 * @param quarantined the replicas the store read skipped (unreadable, or over the size limit), with why
 */
public record SyncStatus(ReplicaId replica, String memoryFile, boolean memoryFileExists, String stateDir,
                         String store, Optional<Instant> lastSync, AtomCounts counts, int localEdits,
                         int unpublishedAtoms, int replicasInStore, boolean massDeletion,
                         List<Quarantine> quarantined) {
    private static final JsonFactory JSON = new JsonFactory();

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if a count is negative
     */
    public SyncStatus {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(memoryFile, "memoryFile");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(lastSync, "lastSync");
        Objects.requireNonNull(counts, "counts");
        if (localEdits < 0 || unpublishedAtoms < 0 || replicasInStore < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
        quarantined = List.copyOf(quarantined);
    }

    /**
     * Creates a status that names no quarantined replica (the form before {@code quarantined} existed).
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if a count is negative
     */
    public SyncStatus(ReplicaId replica, String memoryFile, boolean memoryFileExists, String stateDir,
                      String store, Optional<Instant> lastSync, AtomCounts counts, int localEdits,
                      int unpublishedAtoms, int replicasInStore, boolean massDeletion) {
        this(replica, memoryFile, memoryFileExists, stateDir, store, lastSync, counts, localEdits, unpublishedAtoms,
                replicasInStore, massDeletion, List.of());
    }

    /**
     * Whether everything in the memory file is stamped and published.
     *
     * @return true if there are no local edits and no unpublished atoms
     */
    public boolean upToDate() {
        return localEdits == 0 && unpublishedAtoms == 0;
    }

    /**
     * Returns the status as one line of JSON with a fixed field order ({@code docs/cli.md}).
     *
     * @return the JSON text, without a trailing newline
     */
    public String toJson() {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("format", "crdt-memory-status");
            g.writeNumberField("version", 1);
            g.writeStringField("replica", replica.value());
            g.writeStringField("memoryFile", memoryFile);
            g.writeBooleanField("memoryFileExists", memoryFileExists);
            g.writeStringField("stateDir", stateDir);
            g.writeStringField("store", store);
            if (lastSync.isPresent()) {
                g.writeStringField("lastSync", lastSync.get().toString());
            } else {
                g.writeNullField("lastSync");
            }
            CountsJson.write(g, "counts", counts);
            g.writeNumberField("localEdits", localEdits);
            g.writeNumberField("unpublishedAtoms", unpublishedAtoms);
            g.writeNumberField("replicasInStore", replicasInStore);
            g.writeBooleanField("upToDate", upToDate());
            g.writeBooleanField("massDeletion", massDeletion);
            ReportJson.quarantined(g, quarantined);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toString();
    }
}
