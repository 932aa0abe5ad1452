/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.AtomCounts;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.store.CorruptStateException;
import io.github.crdtmemory.store.HistoryEntry;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.StoreAccessException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The history of a git store: each replica's publications (following compactions into the archive
 * refs) and the versions of the unified view on {@code main}. States of either format version are
 * read through {@link StateReader}. Revisions are validated as 4-64 hex digits before git sees them.
 */
final class GitHistory {
    /** Runs an operation under the store's lock (with the clone's recovery). */
    interface Locking {
        <T> T locked(@Nullable ReplicaId replica, Supplier<T> op);
    }

    private static final Logger log = LoggerFactory.getLogger(GitHistory.class);
    private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");
    private static final Pattern ABBREVIATED_ID = Pattern.compile("[0-9a-f]{4,64}");

    private final LocalClone clone;
    private final StateReader reader;
    private final UnifiedView unified;
    private final GitStoreOptions options;
    private final String description;
    private final Locking lock;

    GitHistory(LocalClone clone, StateReader reader, UnifiedView unified, GitStoreOptions options, String description,
               Locking lock) {
        this.clone = clone;
        this.unified = unified;
        this.reader = reader;
        this.options = options;
        this.description = description;
        this.lock = lock;
    }

    /**
     * The versions of the unified view on {@code main}, newest first.
     *
     * @param limit at most this many (at least 1)
     * @return the versions; empty if {@code main} does not exist yet
     * @throws GitOperationError if git fails
     */
    List<GitStore.UnifiedEntry> unifiedLog(int limit) {
        checkLimit(limit);
        return lock.locked(null, () -> {
            clone.fetch(null);
            List<LocalClone.CommitStamp> commits = revList(LocalClone.MAIN_TRACKING, limit, null);
            List<GitStore.UnifiedEntry> out = new ArrayList<>();
            for (int i = 0; i < commits.size(); i++) {
                GitStore.Unified u = unified.readAt(commits.get(i).id(), options.maxStateBytes(), null);
                if (u == null) {
                    continue;
                }
                byte[] blob = u.memory();
                MemoryGraph g = MemoryFileCodec.parse(blob, description + " main " + commits.get(i).id()).graph();
                out.add(new GitStore.UnifiedEntry(Revision.of(commits.get(i).id()), commits.get(i).time(),
                        new AtomCounts(g.entities().size(), g.observationCount(), g.relations().size(), 0),
                        PrivateFiles.sha256(blob)));
            }
            return out;
        });
    }

    /**
     * The unified view as {@code main} held it at {@code revision}.
     *
     * @param revision a commit of {@code main}, full or abbreviated
     * @return the graph
     * @throws StoreAccessException if there is no such commit or it holds no view ({@code memory/} or
     *         {@code memory.jsonl})
     * @throws GitOperationError if git fails
     */
    MemoryGraph unifiedAt(Revision revision) {
        return lock.locked(null, () -> {
            clone.fetch(null);
            String commit = resolve(revision, null);
            GitStore.Unified u = unified.readAt(commit, options.maxStateBytes(), null);
            if (u == null) {
                throw new StoreAccessException(description, null, "commit " + commit
                        + " holds no unified view (memory/ or memory.jsonl)", null);
            }
            return MemoryFileCodec.parse(u.memory(), description + " main " + commit).graph();
        });
    }

    List<HistoryEntry> replicaLog(ReplicaId replica, int limit) {
        Objects.requireNonNull(replica, "replica");
        checkLimit(limit);
        return lock.locked(replica, () -> {
            clone.fetch(replica);
            String ref = LocalClone.TRACKING_PREFIX + replica.value();
            List<LocalClone.CommitStamp> commits = new ArrayList<>(revList(ref, limit, replica));
            boolean archiveFetched = false;
            while (!commits.isEmpty() && commits.size() < limit) { // on past compactions, oldest first
                String previous = clone.previousTip(commits.get(commits.size() - 1).id(), replica);
                if (previous == null) {
                    break;
                }
                if (!archiveFetched && !clone.hasCommit(previous, replica)) {
                    clone.fetchArchive(replica);
                    archiveFetched = true;
                }
                if (!clone.hasCommit(previous, replica)) {
                    log.warn("{}: the history of {} before {} was archived and is gone", description, replica,
                            previous);
                    break;
                }
                List<LocalClone.CommitStamp> older = revList(previous, limit - commits.size(), replica);
                if (older.isEmpty()) {
                    break;
                }
                commits.addAll(older);
            }
            List<ReplicaId> ids = new ArrayList<>();
            List<String> ids2 = new ArrayList<>();
            commits.forEach(c -> {
                ids.add(replica);
                ids2.add(c.id());
            });
            List<StateReader.Read> reads = reader.read(ids, ids2, replica);
            List<HistoryEntry> out = new ArrayList<>();
            for (int i = 0; i < commits.size(); i++) {
                MemoryState state = stateOf(reads.get(i), replica, commits.get(i).id());
                String known = reads.get(i).sha256();
                String sha = known != null ? known : PrivateFiles.sha256(StateCodec.encode(state));
                out.add(new HistoryEntry(replica, Revision.of(commits.get(i).id()), commits.get(i).time(),
                        state.counts(), sha));
            }
            return out;
        });
    }

    PublishedState replicaStateAt(ReplicaId replica, Revision revision) {
        Objects.requireNonNull(replica, "replica");
        return lock.locked(replica, () -> {
            clone.fetch(replica);
            String commit;
            try {
                commit = resolve(revision, replica);
            } catch (StoreAccessException notHere) {
                if (!ABBREVIATED_ID.matcher(revision.token()).matches()) {
                    throw notHere;
                }
                clone.fetchArchive(replica); // an archived revision, from before a compaction?
                commit = resolve(revision, replica);
            }
            StateReader.Read read = reader.read(List.of(replica), List.of(commit), replica).get(0);
            if (read.absent()) {
                throw new StoreAccessException(description, replica, "revision " + commit
                        + " holds no state of replica " + replica, null);
            }
            return new PublishedState(replica, Revision.of(commit), stateOf(read, replica, commit));
        });
    }

    private MemoryState stateOf(StateReader.Read read, ReplicaId replica, String commit) {
        if (read.problem() != null) {
            throw new CorruptStateException(description, replica, "cannot read the state of replica " + replica
                    + " at " + commit + ": " + read.problem(), null);
        }
        return read.valid();
    }

    /**
     * The newest {@code limit} commits from a ref or commit id;
     * none if it is a ref that is absent.
     */
    private List<LocalClone.CommitStamp> revList(String ref, int limit, @Nullable ReplicaId replica) {
        if (!OBJECT_ID.matcher(ref).matches() && !clone.refs(ref, replica).containsKey(ref)) {
            return List.of();
        }
        GitProcess.Result r = clone.command(replica, List.of("rev-list", "--timestamp", "--max-count=" + limit, ref))
                .run();
        if (r.exitCode() != 0) {
            throw clone.error(r, replica);
        }
        List<LocalClone.CommitStamp> out = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            String[] parts = line.strip().split(" ");
            if (parts.length == 2 && OBJECT_ID.matcher(parts[1]).matches() && parts[0].matches("\\d{1,18}")) {
                out.add(new LocalClone.CommitStamp(parts[1], Instant.ofEpochSecond(Long.parseLong(parts[0]))));
            }
        }
        return out;
    }

    /** A full or abbreviated commit id, resolved to the full one; anything else is refused before git sees it. */
    private String resolve(Revision revision, @Nullable ReplicaId replica) {
        Objects.requireNonNull(revision, "revision");
        if (!ABBREVIATED_ID.matcher(revision.token()).matches()) {
            throw new StoreAccessException(description, replica, "not a commit id: '" + revision.token()
                    + "' (4 to 64 hex digits)", null);
        }
        String commit;
        try {
            commit = clone.command(replica, List.of("rev-parse", "--verify",
                    "--quiet", "--end-of-options", revision.token() + "^{commit}")).run().out().strip();
        } catch (GitOperationError e) {
            if (e.kind() != GitOperationError.Kind.FAILED) {
                throw e;
            }
            commit = "";
        }
        if (!OBJECT_ID.matcher(commit).matches()) {
            throw new StoreAccessException(description, replica, "no commit " + revision.token() + " in the store", null);
        }
        return commit;
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
    }

}
