/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.memory.AtomCounts;
import io.github.crdtmemory.store.Quarantine;
import io.github.crdtmemory.sync.SyncReport;
import io.github.crdtmemory.sync.SyncStatus;
import java.util.List;
import java.util.Locale;

/** The human forms of reports: a short summary, one fact per line. */
final class Reports {
    private Reports() {
    }

    static String counts(AtomCounts c) {
        return c.entities() + " entities, " + c.observations() + " observations, " + c.relations() + " relations";
    }

    static String summary(String verb, SyncReport r) {
        StringBuilder out = new StringBuilder();
        out.append(verb).append(' ').append(r.replica()).append(": ").append(r.added().size()).append(" added, ")
                .append(r.changed().size()).append(" changed, ").append(r.deleted().size())
                .append(" deleted locally; ").append(counts(r.counts())).append(" across ")
                .append(r.replicasRead()).append(r.replicasRead() == 1 ? " replica" : " replicas").append('\n');
        out.append("  store: ").append(r.store()).append(" (").append(word(r.publication().name()));
        if (r.publishAttempts() > 1) {
            out.append(" after ").append(r.publishAttempts()).append(" attempts");
        }
        out.append(")\n");
        out.append("  memory file: ").append(r.memoryFile()).append(" (").append(word(r.writeBack().name())).append(")\n");
        for (SyncReport.Conflict c : r.conflicts()) {
            out.append("  conflict on ").append(c.key()).append(": ").append(c.localWon() ? "the local edit" : "a remote edit")
                    .append(" won (").append(c.kept()).append(" over ").append(c.discarded()).append(")\n");
        }
        for (SyncReport.ClockAnomaly a : r.clockAnomalies()) {
            out.append("  clock: replica ").append(a.replica()).append(" is ").append(a.ahead().toSeconds())
                    .append(" s ahead of this machine; merged by hybrid clock order\n");
        }
        for (String w : r.warnings()) {
            out.append("  note: ").append(w).append('\n');
        }
        quarantined(out, r.quarantined());
        return out.toString();
    }

    static String status(SyncStatus s) {
        return "replica:        " + s.replica() + "\n"
                + "memory file:    " + s.memoryFile() + (s.memoryFileExists() ? "" : " (missing)") + "\n"
                + "store:          " + s.store() + " (" + s.replicasInStore() + " replicas)\n"
                + "state dir:      " + s.stateDir() + "\n"
                + "last sync:      " + s.lastSync().map(Object::toString).orElse("never") + "\n"
                + "state:          " + counts(s.counts()) + ", " + s.counts().tombstones() + " tombstones\n"
                + "not yet synced: " + s.localEdits() + " local edits, " + s.unpublishedAtoms()
                + " unpublished atoms" + (s.upToDate() ? " (up to date)" : "") + "\n"
                + (s.massDeletion() ? "refused:        the file's edits delete most of the memory; the next sync "
                        + "exits 7 (rerun with --allow-mass-deletion to keep the deletion, or remove the file and "
                        + "restore)\n" : "")
                + quarantined(new StringBuilder(), s.quarantined());
    }

    /** One line per quarantined replica: which, and why. */
    static StringBuilder quarantined(StringBuilder out, List<Quarantine> quarantined) {
        for (Quarantine q : quarantined) {
            out.append("  quarantined: replica ").append(q.replica()).append(" skipped (").append(q.reason())
                    .append(")\n");
        }
        return out;
    }

    private static String word(String constant) {
        return constant.toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
