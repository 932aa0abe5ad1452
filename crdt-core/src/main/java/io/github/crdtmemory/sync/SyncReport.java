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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@link SyncEngine#sync()} did. Immutable. {@link #toJson()} gives a stable JSON form
 * (documented in {@code docs/architecture.md}): fields in a fixed order, keys in atom order.
 *
 * @param replica the local replica
 * @param memoryFile the memory file synced
 * @param store the store's redacted description
 * @param counts the merged state's atoms by kind
 * @param added atoms this run found added to the memory file (new entities, observations, relations)
 * @param changed atoms this run found changed (an entity type) or re-asserted
 * @param deleted atoms this run found deleted from the memory file, now tombstones
 * @param replicasRead how many replicas' states the store held at the last read
 * @param conflicts local edits of this run that met a concurrent, different remote write of the same
 *     atom, with the stamp that won
 * @param clockAnomalies remote stamps further ahead of local time than the configured skew
 * @param publication whether this run published a new state
 * @param publishAttempts how many publications were tried (more than 1 after lost races)
 * @param writeBack what happened to the memory file
 * @param checksums SHA-256 of the memory file and of the own state before and after
 * @param timings time spent per phase, in the order the phases ran
 * @param warnings repairs the codec made while reading the memory file, and other notes
 * @param keptCopy the copy of the memory file's earlier content kept before this run wrote it (in the
 *     state directory's {@code copies/}), or {@code ""} when nothing was written or no copy is kept
 * @param quarantined the replicas the store read had to skip (an unreadable ref, object or state, or a
 *     state over the size limit), each with the reason; every other replica was merged as usual
 */
public record SyncReport(ReplicaId replica, String memoryFile, String store, AtomCounts counts,
                         List<AtomKey> added, List<AtomKey> changed, List<AtomKey> deleted, int replicasRead,
                         List<Conflict> conflicts, List<ClockAnomaly> clockAnomalies, Publication publication,
                         int publishAttempts, WriteBack writeBack, Checksums checksums,
                         Map<String, Duration> timings, List<String> warnings, String keptCopy,
                         List<Quarantine> quarantined) {

    /**
     * Validates and copies the components; {@code timings} keeps its iteration order.
     *
     * @throws NullPointerException if a component is null
     */
    public SyncReport {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(memoryFile, "memoryFile");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(counts, "counts");
        added = List.copyOf(added);
        changed = List.copyOf(changed);
        deleted = List.copyOf(deleted);
        conflicts = List.copyOf(conflicts);
        clockAnomalies = List.copyOf(clockAnomalies);
        Objects.requireNonNull(publication, "publication");
        Objects.requireNonNull(writeBack, "writeBack");
        Objects.requireNonNull(checksums, "checksums");
        timings = Collections.unmodifiableMap(new LinkedHashMap<>(timings));
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(keptCopy, "keptCopy");
        quarantined = List.copyOf(quarantined);
    }

    /**
     * Creates a report of a run that quarantined no replica (the form before {@code quarantined} existed).
     *
     * @throws NullPointerException if a component is null
     */
    public SyncReport(ReplicaId replica, String memoryFile, String store, AtomCounts counts,
                      List<AtomKey> added, List<AtomKey> changed, List<AtomKey> deleted, int replicasRead,
                      List<Conflict> conflicts, List<ClockAnomaly> clockAnomalies, Publication publication,
                      int publishAttempts, WriteBack writeBack, Checksums checksums,
                      Map<String, Duration> timings, List<String> warnings, String keptCopy) {
        this(replica, memoryFile, store, counts, added, changed, deleted, replicasRead, conflicts, clockAnomalies,
                publication, publishAttempts, writeBack, checksums, timings, warnings, keptCopy, List.of());
    }

    /**
     * Returns the report as one line of JSON with a fixed field order.
     *
     * @return the JSON text, without a trailing newline
     */
    public String toJson() {
        return ReportJson.write(this);
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
