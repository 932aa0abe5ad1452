/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.ProcessFileLock;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.seal.EncryptionException;
import io.github.crdtmemory.seal.Keyring;
import io.github.crdtmemory.store.StoreHistory;
import io.github.crdtmemory.store.HistoryEntry;
import io.github.crdtmemory.memory.AtomCounts;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.ConcurrentUpdateException;
import io.github.crdtmemory.store.CorruptStateException;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.Quarantine;
import io.github.crdtmemory.internal.Redaction;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.Snapshot;
import io.github.crdtmemory.store.StoreAccessException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ReplicaStore} in a git remote. Each replica's state lives on its own ref,
 * {@code refs/heads/replicas/<replica-id>}, in state format 2: a {@code format} file and one
 * {@code shard-xx} file per non-empty shard, each in {@link StateCodec}'s canonical form (equal states,
 * equal trees); format 1 ({@code <replica-id>.state}, the whole state) is still read and is replaced at
 * the replica's next publication; another replica's newer format is quarantined, and publishing over a
 * newer format is refused ({@link GitOperationError.Kind#UNSUPPORTED_FORMAT}). Only that replica advances its ref, so hosts
 * never contend.
 *
 * <p>The store works in a bare clone under {@link GitStoreOptions#cacheDir()}, guarded by an OS lock
 * ({@code clone.lock} next to it) held for each whole operation. Reads fetch the replica refs and read
 * what changed since the store's last read (only changed shards) with one {@code cat-file --batch} per
 * kind of object. A publication writes the shards that changed and builds the commit with plumbing
 * ({@code hash-object}, {@code mktree}, {@code commit-tree}; no worktree, no index, no merge, no rebase)
 * whose parent is the expected revision, and pushes it with
 * {@code --force-with-lease=<ref>:<expected>} (with the unified view, in one atomic push with
 * {@code main}): the push is the compare-and-swap, and a lost race is a
 * {@link ConcurrentUpdateException}. A push whose outcome is unknown (a timeout after the data was
 * sent) is resolved by fetching and checking ancestry. With a publication the merged view (one
 * {@code memory/shard-xx.jsonl} file per shard, written by change) and a {@code manifest.json} are
 * published on {@code main}, best effort: losing that race is logged and reported by
 * {@link #unifiedStatus()}, never an error, and never data loss.
 *
 * <p>Every git call runs through {@code GitProcess} (argument lists, sanitized environment, timeouts
 * that kill the process group) and fails as a {@link GitOperationError}. When the JVM is asked to stop
 * (SIGTERM, Ctrl-C), a shutdown hook of each open store ends its running git process groups (ssh and
 * helpers included) within a few seconds; {@link #close()} removes that hook. While holding its lock the
 * store records its running git processes in a {@code 0600} file next to the clone and deletes stale
 * {@code *.lock} files in its clone (with a warning), but only when no git process an earlier run left
 * behind still runs there; a clone found damaged is moved aside and cloned again, once per operation
 * (only the newest copy moved aside is kept). A problem of one replica (a ref that cannot be fetched, a
 * state that is missing, a directory, over {@link GitStoreOptions#maxStateBytes()} or not decodable)
 * never fails a read nor moves the clone aside: that replica is {@linkplain Snapshot#quarantined()
 * quarantined} and the others are read. After each publication the clone is kept bounded: past a few
 * hundred loose objects (or a dozen packs) it is repacked into one pack, under the same timeout.
 * Thread-safe; several processes may share a cache dir.
 */
public final class GitStore implements ReplicaStore {
    /** What happened to the unified view on {@code main} at the last publication. */
    public enum UnifiedStatus {
        /** No publication yet, or the unified view is turned off. */
        NOT_ATTEMPTED,
        /** A new view was pushed to {@code main}. */
        PUBLISHED,
        /** {@code main} already held exactly this view. */
        UNCHANGED,
        /**
         * Another writer moved {@code main} first, with a view that already lists this publication (it
         * read the replica ref after this push), so there was nothing left to do.
         */
        INCLUDED,
        /** Other writers kept moving {@code main}; it will catch up at a later publication. */
        LOST_RACE,
        /** The push to {@code main} failed for another reason (see the log); the replica ref is fine. */
        FAILED
    }

    private static final Logger log = LoggerFactory.getLogger(GitStore.class);
    private static final Pattern VERSION = Pattern.compile("git version (\\d+)\\.(\\d+)");
    private static final int UNIFIED_ATTEMPTS = 3;
    /** The record of the git processes running in the clone ({@code <pid> <start ms>} lines, 0600). */
    static final String PROCESS_RECORD = "git-processes";

    private final GitStoreOptions options;
    private final String description;
    private final Path dir;
    private final LocalClone clone;
    private final UnifiedView unified;
    private final StateReader reader;
    private final GitHistory history;
    private final ReplicaPublication publication;
    private final GitProcessGroups groups;
    private volatile boolean closed;
    /** The keys of an encrypted store, or null. */
    private final @Nullable Keyring keyring;

    private GitStore(GitStoreOptions options, @Nullable Keyring keyring, String description, Path dir, GitProcess git) {
        this.options = options;
        this.keyring = keyring;
        this.description = description;
        this.dir = dir;
        this.clone = new LocalClone(dir.resolve("repo.git"), git, options, description);
        this.unified = new UnifiedView(clone, description);
        this.reader = new StateReader(clone, options, description, keyring);
        this.history = new GitHistory(clone, reader, unified, options, description, this::locked);
        this.publication = new ReplicaPublication(clone, reader, unified, options, description);
        this.groups = git.groups();
        groups.registerShutdownHook(p -> git.terminate(p.toHandle()));
    }

    /**
     * Opens the store: checks the git version and prepares the cache directory. The network is first
     * used by {@link #read()} or {@link #publish}.
     *
     * @param options the remote and settings
     * @return the store
     * @throws GitOperationError (kind UNAVAILABLE) if git is missing or older than 2.31
     * @throws StoreAccessException if the cache directory cannot be created
     */
    public static GitStore open(GitStoreOptions options) {
        return open(options, null, System.getenv());
    }

    /**
     * Opens an end-to-end encrypted store (format 3: every shard sealed, see docs/security.md), or a
     * plaintext one when {@code keyring} is null. An encrypted store publishes no unified view on
     * {@code main} (it would be plaintext), refuses to publish over a plaintext state of its replica and
     * quarantines plaintext replicas; a plaintext store refuses encrypted ones. Either refusal is an
     * {@link io.github.crdtmemory.seal.EncryptionException}, and nothing is written.
     *
     * @param options the remote and settings
     * @param keyring the keys, or null for a plaintext store
     * @return the store
     * @throws GitOperationError (kind UNAVAILABLE) if git is missing or older than 2.31
     * @throws StoreAccessException if the cache directory cannot be created
     */
    public static GitStore open(GitStoreOptions options, @Nullable Keyring keyring) {
        return open(options, keyring, System.getenv());
    }

    /** Opens the store as if this process had {@code inherited} as its environment (for tests). */
    static GitStore open(GitStoreOptions options, Map<String, String> inherited) {
        return open(options, null, inherited);
    }

    private static GitStore open(GitStoreOptions given, @Nullable Keyring keyring, Map<String, String> inherited) {
        Objects.requireNonNull(given, "options");
        GitStoreOptions options = keyring == null ? given : given.withUnifiedView(false);
        String description = "git:" + Redaction.redact(options.remote());
        GitProcess git = new GitProcess(options.git(), GitEnvironment.build(inherited, options.remote(),
                options.sshCommand()), description, new GitProcessGroups());
        GitProcess.Result v = git.run(null, options.timeout(), null, Map.of(), null, List.of("--version"));
        Matcher m = VERSION.matcher(v.out());
        if (v.exitCode() != 0 || !m.find() || Integer.parseInt(m.group(1)) < 2
                || (Integer.parseInt(m.group(1)) == 2 && Integer.parseInt(m.group(2)) < 31)) {
            throw new GitOperationError(description, null, GitOperationError.Kind.UNAVAILABLE, List.of("--version"),
                    v.exitCode(), "git 2.31 or later is required; found: " + v.out().strip() + " " + v.stderr(),
                    v.elapsed(), null, null);
        }
        String key = PrivateFiles.sha256(Redaction.redact(options.remote()).getBytes(StandardCharsets.UTF_8))
                .substring(0, 16);
        Path dir = options.cacheDir().toAbsolutePath().resolve("git").resolve(key);
        try {
            PrivateFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreAccessException(description, null, "cannot create the cache directory " + dir + ": " + e, e);
        }
        try {
            git = new GitProcess(options.git(), SafeDirectory.apply(GitEnvironment.build(inherited, options.remote(),
                    options.sshCommand()), inherited, dir), description);
        } catch (IOException | IllegalArgumentException e) {
            throw new StoreAccessException(description, null, "cannot apply " + SafeDirectory.VARIABLE + ": " + e, e);
        }
        return new GitStore(options, keyring, description, dir, git);
    }

    /**
     * Creates an empty bare repository at {@code path} to serve as a remote, unless one is already
     * there; the directory is created {@code 0700} and its default branch is {@code main}. Runs git
     * under the same sanitized environment and timeout rules as the store.
     *
     * @param path an absolute path
     * @param timeout the bound on {@code git init}
     * @return true if a repository was created, false if one existed
     * @throws IllegalArgumentException if the path is relative or names an existing non-repository
     * @throws GitOperationError if git is missing or fails
     */
    public static boolean createRemote(Path path, Duration timeout) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(timeout, "timeout");
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("the remote path must be absolute: " + path);
        }
        Path repo = path.normalize();
        if (java.nio.file.Files.isRegularFile(repo.resolve("HEAD"))) {
            return false;
        }
        try (var entries = java.nio.file.Files.exists(repo) ? java.nio.file.Files.list(repo) : null) {
            if (entries != null && entries.findAny().isPresent()) {
                throw new IllegalArgumentException(repo + " exists and is not a bare git repository");
            }
            PrivateFiles.createDirectories(repo);
        } catch (IOException e) {
            throw new StoreAccessException(repo.toString(), null, "cannot create " + repo + ": " + e, e);
        }
        String description = "git:" + repo;
        GitProcess git = new GitProcess("git", GitEnvironment.build(System.getenv(), repo.toString(),
                GitEnvironment.DEFAULT_SSH_COMMAND), description);
        List<String> args = List.of("init", "--bare", "-q", "--initial-branch=main", "--", repo.toString());
        GitProcess.Result r = git.run(repo, timeout, null, Map.of(), null, args);
        if (r.exitCode() != 0) {
            throw new GitOperationError(description, null, StderrClassifier.classify(r.stderr()), args,
                    r.exitCode(), r.stderr(), r.elapsed(), repo, null);
        }
        log.info("created the bare repository {}", repo);
        return true;
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * Returns the directory of this store's bare clone.
     *
     * @return the clone's path
     */
    public Path clonePath() {
        return clone.path();
    }

    /**
     * Returns what happened to the unified view on {@code main} at the last publication.
     *
     * @return the status
     */
    public UnifiedStatus unifiedStatus() {
        return unified.status();
    }

    @Override
    public Snapshot read() {
        return locked(null, () -> readFetched(null, clone.fetch(null)));
    }

    /**
     * Every replica's revision (the commit its ref points to after one fetch) without reading a state:
     * what {@link #read()} would pair with the states, a replica whose ref could not be fetched with the
     * revision of its quarantine. A sync with nothing to do compares these with the ones it last merged
     * and stops there, so the store's mode and key are checked here as {@link #read()} checks them,
     * from the trees and (encrypted) the sealed manifests alone: a missing or wrong key file, or a
     * store of the other mode, is an {@link EncryptionException} here too.
     */
    @Override
    public java.util.SortedMap<ReplicaId, Revision> revisions() {
        return locked(null, () -> {
            List<Quarantine> unfetched = clone.fetch(null);
            java.util.SortedMap<ReplicaId, Revision> out = new java.util.TreeMap<>();
            List<ReplicaId> ids = new ArrayList<>();
            List<String> commits = new ArrayList<>();
            clone.refs(LocalClone.TRACKING_PREFIX, null).forEach((ref, commit) -> {
                String id = ref.substring(LocalClone.TRACKING_PREFIX.length());
                if (ReplicaId.isValid(id)) {
                    out.put(ReplicaId.of(id), Revision.of(commit));
                    ids.add(ReplicaId.of(id));
                    commits.add(commit);
                }
            });
            unfetched.forEach(q -> {
                out.put(q.replica(), q.revision());
                int i = ids.indexOf(q.replica());
                if (i >= 0) {
                    ids.remove(i);
                    commits.remove(i);
                }
            });
            ReplicaId plaintext = reader.checkMode(ids, commits, null);
            if (plaintext != null) { // an encrypted store over a plaintext one
                throw plaintextStore(plaintext);
            }
            return out;
        });
    }

    /**
     * The unified view on {@code main} as the remote holds it now.
     *
     * @param commit the commit {@code main} points to
     * @param memory the whole merged view as one MCP memory file: {@code memory.jsonl} (layout 1), or the
     *               concatenation of the files of {@code memory/} in name order (layout 2)
     * @param manifest the bytes of {@code manifest.json}
     * @param layout 1 ({@code memory.jsonl}, written by earlier versions) or 2 ({@code memory/shard-xx.jsonl})
     */
    public record Unified(String commit, byte[] memory, byte[] manifest, int layout) {
        /**
         * Validates and copies the components.
         *
         * @throws NullPointerException if a component is null
         * @throws IllegalArgumentException if the layout is not 1 or 2
         */
        public Unified {
            Objects.requireNonNull(commit, "commit");
            memory = memory.clone();
            manifest = manifest.clone();
            if (layout != 1 && layout != 2) {
                throw new IllegalArgumentException("layout 1 or 2: " + layout);
            }
        }

        @Override
        public byte[] memory() {
            return memory.clone();
        }

        @Override
        public byte[] manifest() {
            return manifest.clone();
        }

        /**
         * Whether the memory is exactly {@code view} as this layout writes it (what {@code verify} checks
         * when the manifest lists the current replica commits).
         *
         * @param view the merged view of the replica states
         * @return whether the bytes match
         */
        public boolean holds(MemoryGraph view) {
            return java.util.Arrays.equals(MainTree.memoryOf(view, layout), memory);
        }
    }

    /**
     * Fetches and returns the unified view on {@code main}, for verification and for people; reads both
     * layouts ({@link Unified#layout()}).
     *
     * @return the view, or empty if {@code main} does not exist yet
     * @throws GitOperationError if git fails
     * @throws CorruptStateException if {@code main} lacks its manifest or its memory, or holds something else
     */
    public java.util.Optional<Unified> readUnified() {
        return locked(null, () -> {
            clone.fetch(null);
            String main = clone.refs(LocalClone.MAIN_TRACKING, null).get(LocalClone.MAIN_TRACKING);
            if (main == null) {
                return java.util.Optional.<Unified>empty();
            }
            Unified u = unified.readAt(main, options.maxStateBytes(), null);
            if (u == null) {
                throw new CorruptStateException(description, null, "main at " + main
                        + " lacks manifest.json or its memory (memory/ or memory.jsonl)", null);
            }
            return java.util.Optional.of(u);
        });
    }

    /**
     * Every publication is a commit, so the git store keeps the whole history of each replica. A
     * compaction moves older history to {@code refs/archive/replicas/<id>/} and names the archived tip
     * in its commit ({@code Previous-tip:}); the log follows it on, fetching the archive when it gets
     * there, and {@code stateAt} finds archived revisions too.
     *
     * @return the history
     */
    @Override
    public java.util.Optional<StoreHistory> history() {
        return java.util.Optional.of(new StoreHistory() {
            @Override
            public List<HistoryEntry> log(ReplicaId replica, int limit) {
                return history.replicaLog(replica, limit);
            }

            @Override
            public PublishedState stateAt(ReplicaId replica, Revision revision) {
                return history.replicaStateAt(replica, revision);
            }
        });
    }

    /**
     * One version of the unified view on {@code main}.
     *
     * @param revision the commit
     * @param time its commit time
     * @param counts entities, observations and relations of its view (no tombstones)
     * @param sha256 SHA-256 hex of its view as one file ({@code memory.jsonl}, or {@code memory/*.jsonl} joined)
     */
    public record UnifiedEntry(Revision revision, java.time.Instant time, AtomCounts counts, String sha256) {
        /**
         * Validates the components.
         *
         * @throws NullPointerException if a component is null
         */
        public UnifiedEntry {
            Objects.requireNonNull(revision, "revision");
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(counts, "counts");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * The versions of the unified view on {@code main}, newest first.
     *
     * @param limit at most this many (at least 1)
     * @return the versions; empty if {@code main} does not exist yet
     * @throws GitOperationError if git fails
     */
    public List<UnifiedEntry> unifiedLog(int limit) {
        return history.unifiedLog(limit);
    }

    /**
     * The unified view as {@code main} held it at {@code revision}.
     *
     * @param revision a commit of {@code main}, full or abbreviated
     * @return the graph
     * @throws StoreAccessException if there is no such commit or it holds no view
     * @throws GitOperationError if git fails
     */
    public MemoryGraph unifiedAt(Revision revision) {
        return history.unifiedAt(revision);
    }

    /**
     * The checksum {@code main}'s manifest (version 2) gives a replica's state: the id of the format 2
     * tree that {@code state} of {@code replica} encodes to (a hash of its shards' canonical encodings),
     * whatever format it was read in.
     *
     * @param replica the replica
     * @param state its state
     * @return 40 hex digits
     */
    public static String stateTree(ReplicaId replica, MemoryState state) {
        return StateTree.treeId(Objects.requireNonNull(replica, "replica"), Objects.requireNonNull(state, "state"));
    }

    @Override
    public Revision publish(ReplicaId replica, MemoryState state, Revision expected) {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(expected, "expected");
        ReplicaPublication.MainPush main = new ReplicaPublication.MainPush(options.unifiedView());
        Revision published = locked(replica, () -> publication.publish(replica, state, expected,
                publication.compaction(), main));
        if (options.unifiedView() && !main.done) {
            String stateTree = Objects.requireNonNull(main.stateTree, "set by the publication");
            locked(replica, () -> {
                unified.publish(replica, new PublishedState(replica, published, state), stateTree,
                        unfetched -> readFetched(replica, unfetched), UNIFIED_ATTEMPTS, !main.tried);
                return null;
            });
        }
        locked(replica, () -> clone.maintain(replica));
        return published;
    }


    /**
     * Reads the fetched replica refs into a snapshot. A replica is quarantined, not read, when its ref
     * could not be fetched ({@code unfetched}), its commit holds no state file or a directory in its
     * place, its state is over {@link GitStoreOptions#maxStateBytes()} (checked before reading), or it
     * does not decode; every other replica is read as usual.
     */
    private Snapshot readFetched(@Nullable ReplicaId replica, List<Quarantine> unfetched) {
        Map<String, String> refs = clone.refs(LocalClone.TRACKING_PREFIX, replica);
        List<Quarantine> quarantined = new ArrayList<>(unfetched);
        Set<ReplicaId> skipped = new TreeSet<>();
        unfetched.forEach(q -> skipped.add(q.replica()));
        List<ReplicaId> ids = new ArrayList<>();
        List<String> commits = new ArrayList<>();
        for (Map.Entry<String, String> e : refs.entrySet()) {
            String id = e.getKey().substring(LocalClone.TRACKING_PREFIX.length());
            if (!ReplicaId.isValid(id)) {
                log.warn("ignoring ref {} in {}: not a replica id", e.getKey(), description);
                continue;
            }
            if (skipped.contains(ReplicaId.of(id))) {
                continue;
            }
            ids.add(ReplicaId.of(id));
            commits.add(e.getValue());
        }
        List<StateReader.Read> reads = reader.read(ids, commits, replica);
        List<PublishedState> states = new ArrayList<>();
        Map<String, String> shas = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            StateReader.Read read = reads.get(i);
            if (read.problem() != null) {
                quarantined.add(new Quarantine(ids.get(i), Revision.of(commits.get(i)), read.problem()));
                continue;
            }
            if (options.unifiedView()) { // for the manifest; computed once per replica and commit
                shas.put(commits.get(i), reader.stateTree(ids.get(i), commits.get(i), read));
            }
            states.add(new PublishedState(ids.get(i), Revision.of(commits.get(i)), read.valid()));
        }
        reader.retain(ids, commits);
        refuseMixedModes(states, quarantined);
        quarantined.forEach(q -> log.warn("{}: replica {} quarantined, skipped this time: {}", description, q.replica(),
                q.reason()));
        Snapshot snapshot = Snapshot.of(states, quarantined);
        unified.remember(snapshot, shas);
        return snapshot;
    }

    /**
     * An encrypted store that finds plaintext replicas and no encrypted one is a plaintext store: it is
     * refused as a whole (nothing is written), not read as a store of quarantined replicas.
     */
    private void refuseMixedModes(List<PublishedState> states, List<Quarantine> quarantined) {
        if (keyring == null || !states.isEmpty()) {
            return;
        }
        for (Quarantine q : quarantined) {
            if (q.reason().startsWith(SealedTree.PLAINTEXT)
                    && quarantined.stream().noneMatch(o -> !o.reason().startsWith(SealedTree.PLAINTEXT))) {
                throw plaintextStore(q.replica());
            }
        }
    }

    private EncryptionException plaintextStore(ReplicaId replica) {
        return new EncryptionException(description, replica, EncryptionException.Kind.MODE_MISMATCH,
                "the store holds plaintext states (replica " + replica + ") and no encrypted one: it is"
                        + " not an encrypted store; use it without a key file, or use a new store for"
                        + " encryption (nothing was written)");
    }

    /**
     * Runs {@code op} holding the clone's lock, after removing stale git locks; a damaged clone is
     * moved aside and re-created, and {@code op} tried once more.
     */
    private <T> T locked(@Nullable ReplicaId replica, Supplier<T> op) {
        if (closed) {
            throw new IllegalStateException(description + " is closed");
        }
        try (ProcessFileLock lock = ProcessFileLock.acquire(dir.resolve("clone.lock"),
                options.networkTimeout().plus(options.timeout()).multipliedBy(2));
             GitProcessGroups.Recording recording = groups.record(dir.resolve(PROCESS_RECORD))) {
            clone.ensure(replica);
            clone.removeStaleLocks(recording.survivors());
            try {
                return op.get();
            } catch (GitOperationError e) {
                if (e.kind() != GitOperationError.Kind.CORRUPT) {
                    throw e;
                }
                clone.quarantine(replica, e);
                return op.get();
            }
        } catch (IOException e) {
            throw new StoreAccessException(description, replica, "cannot use the lock in " + dir + ": " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        groups.close();
    }

    @Override
    public String toString() {
        return "GitStore[" + description + "]";
    }

    /** For tests: how long {@code GitProcess} waits between SIGTERM and SIGKILL. */
    static Duration killGrace() {
        return GitProcess.GRACE;
    }
}
