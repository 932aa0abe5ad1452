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
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where one replica's sync of one memory file stands, from {@link SyncEngine#status()}. Immutable.
 *
 * <p>Compatibility: this is a final class rather than a record so that the status can grow without
 * breaking callers. Only the engine creates it; accessors are only ever added, and existing ones keep
 * their names and meaning (as the JSON form only appends fields).
 */
public final class SyncStatus {
    private static final JsonFactory JSON = new JsonFactory();

    private final ReplicaId replica;
    private final String memoryFile;
    private final boolean memoryFileExists;
    private final String stateDir;
    private final String store;
    private final Optional<Instant> lastSync;
    private final AtomCounts counts;
    private final int localEdits;
    private final int unpublishedAtoms;
    private final int replicasInStore;
    private final boolean massDeletion;
    private final List<Quarantine> quarantined;

    private SyncStatus(Builder b) {
        this.replica = Objects.requireNonNull(b.replica, "replica");
        this.memoryFile = Objects.requireNonNull(b.memoryFile, "memoryFile");
        this.memoryFileExists = b.memoryFileExists;
        this.stateDir = Objects.requireNonNull(b.stateDir, "stateDir");
        this.store = Objects.requireNonNull(b.store, "store");
        this.lastSync = Objects.requireNonNull(b.lastSync, "lastSync");
        this.counts = Objects.requireNonNull(b.counts, "counts");
        this.localEdits = b.localEdits;
        this.unpublishedAtoms = b.unpublishedAtoms;
        this.replicasInStore = b.replicasInStore;
        this.massDeletion = b.massDeletion;
        this.quarantined = List.copyOf(b.quarantined);
        if (localEdits < 0 || unpublishedAtoms < 0 || replicasInStore < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }

    /**
     * Returns a builder of the status of {@code replica}, for the engine.
     *
     * @param replica the local replica
     * @return a builder with zero counts
     */
    static Builder builder(ReplicaId replica) {
        return new Builder(replica);
    }

    /**
     * Returns the local replica.
     *
     * @return the replica
     */
    public ReplicaId replica() {
        return replica;
    }

    /**
     * Returns the memory file.
     *
     * @return the memoryFile
     */
    public String memoryFile() {
        return memoryFile;
    }

    /**
     * Returns whether the memory file exists.
     *
     * @return whether it is so
     */
    public boolean memoryFileExists() {
        return memoryFileExists;
    }

    /**
     * Returns the sync state directory.
     *
     * @return the stateDir
     */
    public String stateDir() {
        return stateDir;
    }

    /**
     * Returns the store's redacted description.
     *
     * @return the store
     */
    public String store() {
        return store;
    }

    /**
     * Returns when the last sync, backup or restore completed, if one did.
     *
     * @return the lastSync
     */
    public Optional<Instant> lastSync() {
        return lastSync;
    }

    /**
     * Returns the atoms of the own state (the join of all this replica has seen), by kind.
     *
     * @return the counts
     */
    public AtomCounts counts() {
        return counts;
    }

    /**
     * Returns atoms the memory file's edits since the last cycle would stamp; not yet in any state.
     *
     * @return a count, not negative
     */
    public int localEdits() {
        return localEdits;
    }

    /**
     * Returns atoms of the own state that the store does not hold as published by this replica (0
     * when everything is backed up).
     *
     * @return a count, not negative
     */
    public int unpublishedAtoms() {
        return unpublishedAtoms;
    }

    /**
     * Returns how many replicas the store holds.
     *
     * @return a count, not negative
     */
    public int replicasInStore() {
        return replicasInStore;
    }

    /**
     * Returns whether the next sync, backup or restore will stop with {@link MassDeletionException}
     * (the file's edits delete most of the memory), under these settings.
     *
     * @return whether it is so
     */
    public boolean massDeletion() {
        return massDeletion;
    }

    /**
     * Returns the replicas the store read skipped (unreadable, or over the size limit), with why.
     *
     * @return the quarantined replicas (unmodifiable)
     */
    public List<Quarantine> quarantined() {
        return quarantined;
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

    private List<Object> components() {
        return Arrays.asList(replica, memoryFile, memoryFileExists, stateDir, store, lastSync, counts, localEdits,
                unpublishedAtoms, replicasInStore, massDeletion, quarantined);
    }

    /**
     * Statuses are equal when every component is.
     *
     * @param o the other object
     * @return whether it is an equal status
     */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof SyncStatus other && components().equals(other.components());
    }

    @Override
    public int hashCode() {
        return components().hashCode();
    }

    /**
     * Returns the JSON form.
     *
     * @return {@link #toJson()}
     */
    @Override
    public String toString() {
        return toJson();
    }

    /** Collects a status's components; {@link #build()} validates and copies them. */
    static final class Builder {
        private @Nullable ReplicaId replica;
        private @Nullable String memoryFile;
        private boolean memoryFileExists;
        private @Nullable String stateDir;
        private @Nullable String store;
        private Optional<Instant> lastSync = Optional.empty();
        private @Nullable AtomCounts counts;
        private int localEdits;
        private int unpublishedAtoms;
        private int replicasInStore;
        private boolean massDeletion;
        private List<Quarantine> quarantined = List.of();

        private Builder(ReplicaId replica) {
            this.replica = replica;
        }

        Builder memoryFile(String value) {
            this.memoryFile = value;
            return this;
        }

        Builder memoryFileExists(boolean value) {
            this.memoryFileExists = value;
            return this;
        }

        Builder stateDir(String value) {
            this.stateDir = value;
            return this;
        }

        Builder store(String value) {
            this.store = value;
            return this;
        }

        Builder lastSync(Optional<Instant> value) {
            this.lastSync = value;
            return this;
        }

        Builder counts(AtomCounts value) {
            this.counts = value;
            return this;
        }

        Builder localEdits(int value) {
            this.localEdits = value;
            return this;
        }

        Builder unpublishedAtoms(int value) {
            this.unpublishedAtoms = value;
            return this;
        }

        Builder replicasInStore(int value) {
            this.replicasInStore = value;
            return this;
        }

        Builder massDeletion(boolean value) {
            this.massDeletion = value;
            return this;
        }

        Builder quarantined(List<Quarantine> value) {
            this.quarantined = value;
            return this;
        }

        SyncStatus build() {
            return new SyncStatus(this);
        }
    }
}
