/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Stamp;
import io.github.crdtmemory.memory.AtomCounts;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.store.Quarantine;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one {@link SyncEngine#sync()} did. Immutable. {@link #toJson()} gives a stable JSON form
 * (documented in {@code docs/architecture.md}): fields in a fixed order, keys in atom order.
 *
 * <p>Compatibility: this is a final class rather than a record so that the report can grow without
 * breaking callers. Only the engine creates reports; accessors are only ever added, and existing ones
 * keep their names and meaning (as the JSON form only appends fields).
 */
public final class SyncReport {
    private final ReplicaId replica;
    private final String memoryFile;
    private final String store;
    private final AtomCounts counts;
    private final List<AtomKey> added;
    private final List<AtomKey> changed;
    private final List<AtomKey> deleted;
    private final int replicasRead;
    private final List<Conflict> conflicts;
    private final List<ClockAnomaly> clockAnomalies;
    private final Publication publication;
    private final int publishAttempts;
    private final WriteBack writeBack;
    private final Checksums checksums;
    private final Map<String, Duration> timings;
    private final List<String> warnings;
    private final String keptCopy;
    private final List<Quarantine> quarantined;

    private SyncReport(Builder b) {
        this.replica = Objects.requireNonNull(b.replica, "replica");
        this.memoryFile = Objects.requireNonNull(b.memoryFile, "memoryFile");
        this.store = Objects.requireNonNull(b.store, "store");
        this.counts = Objects.requireNonNull(b.counts, "counts");
        this.added = List.copyOf(b.added);
        this.changed = List.copyOf(b.changed);
        this.deleted = List.copyOf(b.deleted);
        this.replicasRead = b.replicasRead;
        this.conflicts = List.copyOf(b.conflicts);
        this.clockAnomalies = List.copyOf(b.clockAnomalies);
        this.publication = Objects.requireNonNull(b.publication, "publication");
        this.publishAttempts = b.publishAttempts;
        this.writeBack = Objects.requireNonNull(b.writeBack, "writeBack");
        this.checksums = Objects.requireNonNull(b.checksums, "checksums");
        this.timings = Collections.unmodifiableMap(new LinkedHashMap<>(b.timings));
        this.warnings = List.copyOf(b.warnings);
        this.keptCopy = Objects.requireNonNull(b.keptCopy, "keptCopy");
        this.quarantined = List.copyOf(b.quarantined);
    }

    /**
     * Returns a builder of a report of a run by {@code replica}, for the engine.
     *
     * @param replica the local replica
     * @return a builder with empty lists, zero counts and no outcome yet
     */
    static Builder builder(ReplicaId replica) {
        return new Builder(replica);
    }

    /**
     * The local replica.
     *
     * @return the local replica
     */
    public ReplicaId replica() {
        return replica;
    }

    /**
     * The memory file synced.
     *
     * @return the memory file synced
     */
    public String memoryFile() {
        return memoryFile;
    }

    /**
     * The store's redacted description.
     *
     * @return the store's redacted description
     */
    public String store() {
        return store;
    }

    /**
     * The merged state's atoms by kind.
     *
     * @return the merged state's atoms by kind
     */
    public AtomCounts counts() {
        return counts;
    }

    /**
     * Atoms this run found added to the memory file (new entities, observations, relations).
     *
     * @return the added atoms (unmodifiable)
     */
    public List<AtomKey> added() {
        return added;
    }

    /**
     * Atoms this run found changed (an entity type) or re-asserted.
     *
     * @return the changed atoms (unmodifiable)
     */
    public List<AtomKey> changed() {
        return changed;
    }

    /**
     * Atoms this run found deleted from the memory file, now tombstones.
     *
     * @return the deleted atoms (unmodifiable)
     */
    public List<AtomKey> deleted() {
        return deleted;
    }

    /**
     * How many replicas' states the store held at the last read.
     *
     * @return the number of replicas read
     */
    public int replicasRead() {
        return replicasRead;
    }

    /**
     * Local edits of this run that met a concurrent, different remote write of the same atom, with
     * the stamp that won.
     *
     * @return the conflicts (unmodifiable)
     */
    public List<Conflict> conflicts() {
        return conflicts;
    }

    /**
     * Remote stamps further ahead of local time than the configured skew.
     *
     * @return the anomalies (unmodifiable)
     */
    public List<ClockAnomaly> clockAnomalies() {
        return clockAnomalies;
    }

    /**
     * Whether this run published a new state.
     *
     * @return the publication outcome
     */
    public Publication publication() {
        return publication;
    }

    /**
     * How many publications were tried (more than 1 after lost races).
     *
     * @return the number of attempts
     */
    public int publishAttempts() {
        return publishAttempts;
    }

    /**
     * What happened to the memory file.
     *
     * @return the write-back outcome
     */
    public WriteBack writeBack() {
        return writeBack;
    }

    /**
     * SHA-256 of the memory file and of the own state before and after.
     *
     * @return the checksums
     */
    public Checksums checksums() {
        return checksums;
    }

    /**
     * Time spent per phase, in the order the phases ran.
     *
     * @return the timings, in phase order (unmodifiable)
     */
    public Map<String, Duration> timings() {
        return timings;
    }

    /**
     * Repairs the codec made while reading the memory file, and other notes.
     *
     * @return the warnings (unmodifiable)
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The copy of the memory file's earlier content kept before this run wrote it (in the state
     * directory's {@code copies/}), or {@code ""} when nothing was written or no copy is kept.
     *
     * @return the kept copy, or {@code ""}
     */
    public String keptCopy() {
        return keptCopy;
    }

    /**
     * The replicas the store read had to skip (an unreadable ref, object or state, or a state over
     * the size limit), each with the reason; every other replica was merged as usual.
     *
     * @return the quarantined replicas (unmodifiable)
     */
    public List<Quarantine> quarantined() {
        return quarantined;
    }

    /**
     * Returns the report as one line of JSON with a fixed field order.
     *
     * @return the JSON text, without a trailing newline
     */
    public String toJson() {
        return ReportJson.write(this);
    }

    private List<Object> components() {
        return Arrays.asList(replica, memoryFile, store, counts, added, changed, deleted, replicasRead, conflicts,
                clockAnomalies, publication, publishAttempts, writeBack, checksums, timings, warnings, keptCopy,
                quarantined);
    }

    /**
     * Reports are equal when every component is.
     *
     * @param o the other object
     * @return whether it is an equal report
     */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof SyncReport other && components().equals(other.components());
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

    /** Collects a report's components while the engine runs; {@link #build()} validates and copies them. */
    static final class Builder {
        private @Nullable ReplicaId replica;
        private @Nullable String memoryFile;
        private @Nullable String store;
        private @Nullable AtomCounts counts;
        private List<AtomKey> added = List.of();
        private List<AtomKey> changed = List.of();
        private List<AtomKey> deleted = List.of();
        private int replicasRead;
        private List<Conflict> conflicts = List.of();
        private List<ClockAnomaly> clockAnomalies = List.of();
        private @Nullable Publication publication;
        private int publishAttempts;
        private @Nullable WriteBack writeBack;
        private @Nullable Checksums checksums;
        private Map<String, Duration> timings = Map.of();
        private List<String> warnings = List.of();
        private String keptCopy = "";
        private List<Quarantine> quarantined = List.of();

        private Builder(ReplicaId replica) {
            this.replica = replica;
        }

        Builder memoryFile(String value) {
            this.memoryFile = value;
            return this;
        }

        Builder store(String value) {
            this.store = value;
            return this;
        }

        Builder counts(AtomCounts value) {
            this.counts = value;
            return this;
        }

        Builder added(List<AtomKey> value) {
            this.added = value;
            return this;
        }

        Builder changed(List<AtomKey> value) {
            this.changed = value;
            return this;
        }

        Builder deleted(List<AtomKey> value) {
            this.deleted = value;
            return this;
        }

        Builder replicasRead(int value) {
            this.replicasRead = value;
            return this;
        }

        Builder conflicts(List<Conflict> value) {
            this.conflicts = value;
            return this;
        }

        Builder clockAnomalies(List<ClockAnomaly> value) {
            this.clockAnomalies = value;
            return this;
        }

        Builder publication(Publication value) {
            this.publication = value;
            return this;
        }

        Builder publishAttempts(int value) {
            this.publishAttempts = value;
            return this;
        }

        Builder writeBack(WriteBack value) {
            this.writeBack = value;
            return this;
        }

        Builder checksums(Checksums value) {
            this.checksums = value;
            return this;
        }

        Builder timings(Map<String, Duration> value) {
            this.timings = value;
            return this;
        }

        Builder warnings(List<String> value) {
            this.warnings = value;
            return this;
        }

        Builder keptCopy(String value) {
            this.keptCopy = value;
            return this;
        }

        Builder quarantined(List<Quarantine> value) {
            this.quarantined = value;
            return this;
        }

        SyncReport build() {
            return new SyncReport(this);
        }
    }

    /** Whether a sync published the own state. */
    public enum Publication {
        /** A new state was published (compare-and-swap won). */
        PUBLISHED,
        /** The store already held exactly the merged state; nothing was written. */
        ALREADY_CURRENT,
        /** The run did not publish ({@link SyncEngine#restore()}). */
        NOT_REQUESTED
    }

    /** What a sync did with the memory file. */
    public enum WriteBack {
        /** The merged view was written (atomically, keeping the file's permissions). */
        WRITTEN,
        /** The file already held the merged view byte for byte. */
        UNCHANGED,
        /**
         * The file changed while the sync ran, so it was left alone; its content was taken as the base,
         * and the next sync merges it.
         */
        SKIPPED_FILE_CHANGED,
        /**
         * The file is in a legacy layout (a JSON array or object, not JSONL) and is only read, never
         * rewritten, so the tool that wrote it keeps working.
         */
        SKIPPED_LEGACY_FORMAT,
        /** The run did not write back ({@link SyncEngine#backup()}). */
        NOT_REQUESTED
    }

    /**
     * A local edit that met a concurrent remote write of the same atom.
     *
     * @param key the atom
     * @param kept the stamp of the register the join kept
     * @param discarded the stamp of the register it discarded
     * @param localWon whether the local edit was kept
     */
    public record Conflict(AtomKey key, Stamp kept, Stamp discarded, boolean localWon) {
        /**
         * Validates the components.
         *
         * @throws NullPointerException if a component is null
         */
        public Conflict {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(kept, "kept");
            Objects.requireNonNull(discarded, "discarded");
        }
    }

    /**
     * A remote stamp further ahead of local physical time than allowed. It is merged anyway (dropping it
     * would break convergence), and the local clock moves past it.
     *
     * @param replica the replica whose state held the stamp
     * @param stamp its largest stamp
     * @param physicalMillis local physical time when it was seen
     * @param ahead how far ahead of local time it was
     */
    public record ClockAnomaly(ReplicaId replica, Stamp stamp, long physicalMillis, Duration ahead) {
        /**
         * Validates the components.
         *
         * @throws NullPointerException if a component is null
         */
        public ClockAnomaly {
            Objects.requireNonNull(replica, "replica");
            Objects.requireNonNull(stamp, "stamp");
            Objects.requireNonNull(ahead, "ahead");
        }
    }

    /**
     * SHA-256 checksums (lower-case hex) taken during a sync. An absent file's checksum is {@code ""}.
     *
     * @param memoryFileBefore the memory file as read
     * @param memoryFileAfter the memory file as left
     * @param stateBefore the own state (canonical form) before this run
     * @param stateAfter the own state after this run, verified by reading it back from disk
     */
    public record Checksums(String memoryFileBefore, String memoryFileAfter, String stateBefore,
                            String stateAfter) {
        /**
         * Validates the components.
         *
         * @throws NullPointerException if a component is null
         */
        public Checksums {
            Objects.requireNonNull(memoryFileBefore, "memoryFileBefore");
            Objects.requireNonNull(memoryFileAfter, "memoryFileAfter");
            Objects.requireNonNull(stateBefore, "stateBefore");
            Objects.requireNonNull(stateAfter, "stateAfter");
        }
    }
}
