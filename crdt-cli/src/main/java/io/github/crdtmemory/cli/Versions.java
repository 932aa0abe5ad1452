/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.git.GitStore;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.store.HistoryEntry;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.StoreAccessException;
import io.github.crdtmemory.store.StoreHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds a version of the memory by what a user typed: a file (a memory file or a replica state file),
 * a revision (a commit of any replica's ref, or of {@code main}), or a time (the newest publication of
 * the given replica at or before it). Each replica publishes the whole merged state it has seen, so a
 * replica's state at a revision is the merged memory as that machine knew it then.
 */
final class Versions {
    private static final Pattern REVISION = Pattern.compile("[0-9a-f]{4,64}");

    /**
     * A version found.
     *
     * @param graph its graph
     * @param label what it is, for output: a path, {@code replica@revision} or {@code main@revision}
     */
    record Version(MemoryGraph graph, String label) {
    }

    private final ReplicaStore store;

    Versions(ReplicaStore store) {
        this.store = store;
    }

    StoreHistory history() {
        return store.history().orElseThrow(() -> new CommandFailure(ExitStatus.STORE, "NO_HISTORY", store.description()
                + " keeps no history (only each replica's latest state); history, diff of revisions and "
                + "restore --at need a git store"));
    }

    /** A file path, else a revision, else a time in the history of {@code replica}. */
    Version find(String spec, ReplicaId replica) {
        Path file = Path.of(spec);
        if (!REVISION.matcher(spec).matches() && Files.isRegularFile(file)) {
            return new Version(readFile(file), file.toAbsolutePath().toString());
        }
        if (REVISION.matcher(spec).matches()) {
            return atRevision(Revision.of(spec), replica);
        }
        Optional<Instant> time = LegacyMerge.instant(spec);
        if (time.isPresent()) {
            return atTime(time.get(), replica);
        }
        throw CommandFailure.usage("'" + spec + "' is neither a file, a revision (hex commit id) nor a time "
                + "(ISO-8601, e.g. 2026-11-22T10:00:00Z)");
    }

    /** The merged view of every replica's latest state. */
    Version current() {
        List<MemoryState> states = new ArrayList<>();
        store.read().states().forEach(s -> states.add(s.state()));
        return new Version(MemoryState.joinAll(states).view(), "the merged view of " + store.description());
    }

    private Version atRevision(Revision revision, ReplicaId preferred) {
        StoreHistory history = history();
        List<ReplicaId> candidates = new ArrayList<>();
        candidates.add(preferred);
        store.read().states().forEach(s -> {
            if (!s.replica().equals(preferred)) {
                candidates.add(s.replica());
            }
        });
        for (ReplicaId r : candidates) {
            try {
                PublishedState s = history.stateAt(r, revision);
                return new Version(s.state().view(), r + "@" + s.revision().token());
            } catch (StoreAccessException e) {
                // not this replica's commit; try the next
            }
        }
        if (store instanceof GitStore git) {
            try {
                return new Version(git.unifiedAt(revision), "main@" + revision.token());
            } catch (StoreAccessException e) {
                // not main's either
            }
        }
        throw CommandFailure.badInput("no replica state and no unified view at revision " + revision.token() + " in "
                + store.description());
    }

    private Version atTime(Instant time, ReplicaId replica) {
        for (HistoryEntry e : history().log(replica, 10_000)) {
            if (!e.time().isAfter(time)) {
                return new Version(history().stateAt(replica, e.revision()).state().view(),
                        replica + "@" + e.revision().token());
            }
        }
        throw CommandFailure.badInput("replica " + replica + " published nothing at or before " + time
                + " (see 'memory-backup history --replica " + replica + "')");
    }

    private static MemoryGraph readFile(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw CommandFailure.badInput(file + ": cannot read: " + e);
        }
        String head = new String(bytes, 0, Math.min(bytes.length, 40), java.nio.charset.StandardCharsets.UTF_8);
        if (head.startsWith("{\"format\":\"" + StateCodec.FORMAT + "\"")) {
            return StateCodec.decode(bytes, file.toString()).view();
        }
        return MemoryFileCodec.parse(bytes, file.toString()).graph();
    }
}
