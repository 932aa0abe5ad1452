/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.seal.EncryptionException;
import io.github.crdtmemory.store.ConcurrentUpdateException;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.Revision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's publication in a git store: the format 2 tree written by change (only the shards its
 * parent lacks), the commit whose parent is the expected revision, and one push under a lease (with
 * {@code main} and, when compacting, the archive ref, atomically). A lost race is a
 * {@link ConcurrentUpdateException}; a push whose outcome is unknown is resolved by fetching. Called
 * under the store's lock.
 */
final class ReplicaPublication {
    private static final Logger log = LoggerFactory.getLogger(GitStore.class);
    private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-f]{40}([0-9a-f]{24})?");

    private final LocalClone clone;
    private final StateReader reader;
    private final UnifiedView unified;
    private final GitStoreOptions options;
    private final String description;
    private volatile boolean compaction = true;
    /** The number of commits behind the commits this store published last ({@code rev-list --count}). */
    private final Map<String, Integer> depths = new java.util.concurrent.ConcurrentHashMap<>();

    ReplicaPublication(LocalClone clone, StateReader reader, UnifiedView unified, GitStoreOptions options,
                       String description) {
        this.clone = clone;
        this.reader = reader;
        this.unified = unified;
        this.options = options;
        this.description = description;
    }

    /** Whether compaction is still on (a server that refuses history rewrites turns it off). */
    boolean compaction() {
        return compaction;
    }

    /**
     * The unified view's part of one publication: {@code main} is pushed in the same atomic push as the
     * replica ref when it can be; {@code done} once it was (or held the view already).
     */
    static final class MainPush {
        final boolean enabled;
        /** The id of the published state's tree: its checksum in {@code main}'s manifest. */
        @Nullable String stateTree;
        boolean tried;
        boolean done;

        MainPush(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /**
     * The update of {@code main} to push with {@code commit}, or null (best effort: a failure to build it
     * is logged, and {@code main} is then tried on its own after the replica ref).
     */
    private UnifiedView.@Nullable Update prepareMain(ReplicaId replica, String commit, MemoryState state,
            @Nullable String stateTree, MainPush main) {
        if (!main.enabled || main.tried || stateTree == null) { // an encrypted store has no view on main
            return null;
        }
        try {
            UnifiedView.Update update = unified.prepare(replica, new PublishedState(replica, Revision.of(commit), state),
                    stateTree);
            main.done = update == null && unified.status() == GitStore.UnifiedStatus.UNCHANGED;
            return update;
        } catch (GitOperationError e) {
            if (e.kind() == GitOperationError.Kind.CORRUPT) {
                throw e;
            }
            log.warn("{}: the unified view on main was not updated: {}", description, e.getMessage());
            unified.failed();
            main.done = true;
            return null;
        } catch (io.github.crdtmemory.store.StoreAccessException e) { // main's commit over its limit
            log.warn("{}: the unified view on main was not updated: {}", description, e.getMessage());
            unified.failed();
            main.done = true;
            return null;
        }
    }

    Revision publish(ReplicaId replica, MemoryState state, Revision expected, boolean compact, MainPush main) {
        String ref = LocalClone.REPLICA_PREFIX + replica.value();
        String parent = expected.isNone() ? null : expected.token();
        if (parent != null && !OBJECT_ID.matcher(parent).matches()) {
            throw new ConcurrentUpdateException(description, replica, expected, null);
        }
        List<LocalClone.TreeEntry> before = parent == null ? List.of() : clone.trees(List.of(parent), replica).get(0);
        if (before == null) { // the parent is not in the clone (yet)
            clone.fetch(replica);
            before = clone.trees(List.of(parent), replica).get(0);
            if (before == null) {
                throw new ConcurrentUpdateException(description, replica, expected, null);
            }
        }
        refuseNewerFormat(before, replica);
        if (parent == null) {
            refuseOtherMode(replica);
        }
        Map<String, Long> sizes = new java.util.HashMap<>();
        SealedTree sealer = reader.sealed();
        SealedTree.Sealed[] sealed = new SealedTree.Sealed[1];
        List<LocalClone.TreeEntry> parentTree = before;
        Map<String, String> blobs = sealer == null
                ? writeChangedBlobs(replica, each -> StateTree.encodeEach(replica, state, each), before, sizes)
                : writeChangedBlobs(replica, each -> sealed[0] = sealer.seal(replica, state, parentTree, each), before,
                        sizes);
        if (sealed[0] != null) {
            blobs.putAll(sealed[0].reuse());
        }
        // an encrypted store names no plaintext tree id anywhere (it has no view on main)
        String stateTree = sealer == null ? StateTree.treeId(blobs) : null;
        main.stateTree = stateTree;
        StringBuilder entries = new StringBuilder();
        blobs.forEach((name, id) -> entries.append("100644 blob ").append(id).append('\t').append(name).append('\n'));
        if (parent != null && sameEntries(before, blobs)) {
            return republish(replica, ref, parent, expected);
        }
        int depth = parent == null ? 0 : depthOf(parent, replica);
        boolean compacting = compact && parent != null && depth >= options.historyLimit();
        String tree = clone.mktree(entries.toString(), replica);
        String commit = clone.commitTree(tree, compacting ? null : parent, "replica " + replica.value()
                + (compacting ? " (history compacted)\n\n" + LocalClone.PREVIOUS_TIP + ": " + parent : ""), replica);
        UnifiedView.Update mainUpdate = prepareMain(replica, commit, state, stateTree, main);
        List<String> args = new ArrayList<>();
        args.add("--force-with-lease=" + ref + ":" + (parent == null ? "" : parent));
        if (mainUpdate != null) {
            args.add("--force-with-lease=refs/heads/main:" + mainUpdate.lease());
        }
        if (compacting) { // main rides along atomically only here: the archive ref must not move alone
            args.add("--atomic");
        }
        args.add("origin");
        args.add(commit + ":" + ref);
        if (compacting) {
            args.add(parent + ":" + LocalClone.ARCHIVE_PREFIX + replica.value() + "/" + parent);
        }
        if (mainUpdate != null) {
            args.add(mainUpdate.commit() + ":refs/heads/main");
            main.tried = true;
        }
        GitProcess.Result r;
        try {
            r = clone.push(args, replica);
        } catch (GitOperationError timeout) {
            if (timeout.kind() != GitOperationError.Kind.TIMEOUT) {
                throw timeout;
            }
            return resolveUnknownPush(replica, commit, timeout);
        }
        if (r.exitCode() == 0) {
            if (compacting) {
                log.info("compacted the history of {}: old tip {} kept as refs/archive/replicas/{}/{}", replica, parent,
                        replica, parent);
            }
            remember(replica, commit, state, stateTree, blobs, sizes, sealer, sealed[0]);
            depths.clear(); // only the newest is ever asked for
            depths.put(commit, compacting ? 1 : depth + 1);
            if (mainUpdate != null) {
                unified.pushed();
                main.done = true;
            }
            return Revision.of(commit);
        }
        if (mainUpdate != null && !compacting && landed(r, ref)) { // main lost its lease, the replica ref landed
            remember(replica, commit, state, stateTree, blobs, sizes, sealer, sealed[0]);
            depths.clear();
            depths.put(commit, depth + 1);
            return Revision.of(commit);
        }
        GitOperationError failure = clone.error(r, replica);
        if (failure.kind() != GitOperationError.Kind.REJECTED) {
            throw failure;
        }
        if (mainUpdate != null && compacting && (onlyOthersRejected(r, ref) || stillAt(replica, parent))) {
            return publish(replica, state, expected, compact, main); // main moved: the replica ref alone
        }
        if (compacting) {
            clone.fetch(replica);
            String tip = clone.refs(LocalClone.TRACKING_PREFIX + replica.value(), replica)
                    .get(LocalClone.TRACKING_PREFIX + replica.value());
            if (parent != null && parent.equals(tip)) { // compacting: there is a parent
                log.warn("{} refuses history rewrites ({}); compaction is off for this store", description,
                        failure.stderr().strip());
                compaction = false;
                return publish(replica, state, expected, false, main);
            }
        }
        throw new ConcurrentUpdateException(description, replica, expected, null);
    }

    /**
     * Refuses to publish over a state whose tree names a format version newer than this code writes:
     * it would lose what it cannot read. Nothing is written.
     */
    private void refuseNewerFormat(List<LocalClone.TreeEntry> tree, ReplicaId replica) {
        boolean encrypting = reader.sealed() != null;
        for (LocalClone.TreeEntry e : tree) {
            boolean sealedTree = e.name().equals(StateTree.FORMAT_FILE) && e.id().equals(SealedTree.formatBlob(replica));
            boolean stateFile = e.name().equals(StateTree.FORMAT_FILE) || e.name().equals(replica.value() + ".state");
            if (stateFile && sealedTree != encrypting) {
                throw new EncryptionException(description, replica, EncryptionException.Kind.MODE_MISMATCH,
                        (encrypting ? "replica " + replica + "'s state on the remote is plaintext: an encrypted"
                                + " publication over it is refused (use a new store for encryption)"
                                : "replica " + replica + "'s state on the remote is encrypted: a plaintext publication"
                                + " over it is refused (give the key file)") + "; nothing was written");
            }
            if (e.name().equals(StateTree.FORMAT_FILE) && !sealedTree && !e.id().equals(StateTree.formatBlob(replica))) {
                reader.refuseNewer(e.id(), replica);
            }
        }
    }

    /**
     * A replica's first publication checks the store's mode, as a read would, since nothing was read:
     * a plaintext one into a store holding encrypted states, or an encrypted one into a store holding
     * only plaintext states, is refused before anything is written. (One fetch, one tree read.)
     */
    private void refuseOtherMode(ReplicaId replica) {
        clone.fetch(replica);
        List<String> ids = new ArrayList<>();
        List<String> commits = new ArrayList<>();
        clone.refs(LocalClone.TRACKING_PREFIX, replica).forEach((ref, commit) -> {
            String id = ref.substring(LocalClone.TRACKING_PREFIX.length());
            if (ReplicaId.isValid(id) && !id.equals(replica.value())) {
                ids.add(id);
                commits.add(commit);
            }
        });
        if (ids.isEmpty()) {
            return;
        }
        int sealedTrees = 0;
        int plainTrees = 0;
        List<List<LocalClone.TreeEntry>> trees = clone.trees(commits, replica);
        for (int i = 0; i < ids.size(); i++) {
            for (LocalClone.TreeEntry e : trees.get(i) == null ? List.<LocalClone.TreeEntry>of() : trees.get(i)) {
                if (e.name().equals(StateTree.FORMAT_FILE)) {
                    if (e.id().equals(SealedTree.formatBlob(ReplicaId.of(ids.get(i))))) {
                        sealedTrees++;
                    } else {
                        plainTrees++;
                    }
                } else if (e.name().equals(ids.get(i) + ".state")) {
                    plainTrees++;
                }
            }
        }
        boolean encrypting = reader.sealed() != null;
        if (encrypting ? sealedTrees == 0 && plainTrees > 0 : sealedTrees > 0) {
            throw new EncryptionException(description, replica, EncryptionException.Kind.MODE_MISMATCH,
                    (encrypting ? "the store holds plaintext states and no encrypted one: an encrypted publication"
                            + " is refused (use a new store for encryption)"
                            : "the store holds encrypted states: a plaintext publication is refused (give the key file)")
                            + "; nothing was written");
        }
    }

    /** Tells the reader (and, for a sealed tree, its sealer) what {@code commit} holds. */
    private void remember(ReplicaId replica, String commit, MemoryState state, @Nullable String stateTree,
                          Map<String, String> blobs, Map<String, Long> sizes, @Nullable SealedTree sealer,
                          SealedTree.@Nullable Sealed sealed) {
        reader.published(replica, commit, state, stateTree, blobs, sizes);
        if (sealer != null && sealed != null) {
            sealer.published(replica, commit, blobs, sealed.chunks());
        }
    }

    /**
     * The ids of the files of the new tree, name to id (their sizes into {@code sizes}), writing only the
     * blobs the parent's tree does not already hold: {@code files} hands each file over as it is made
     * (a shard encoded, or encoded and sealed), its id is computed here and, if new, it is staged to a
     * file at once, so the whole encoded state is never held; one {@code hash-object} writes them all,
     * and must agree on every id.
     */
    private Map<String, String> writeChangedBlobs(ReplicaId replica,
                                                  Consumer<BiConsumer<String, byte[]>> files,
                                                  List<LocalClone.TreeEntry> before, Map<String, Long> sizes) {
        Set<String> present = new java.util.HashSet<>();
        before.forEach(e -> present.add(e.id()));
        Map<String, String> ids = new java.util.TreeMap<>();
        List<String> staged = new ArrayList<>();
        try (LocalClone.BlobBatch batch = clone.blobBatch(replica)) {
            files.accept((name, bytes) -> {
                String id = StateTree.blobId(bytes);
                ids.put(name, id);
                sizes.put(name, (long) bytes.length);
                if (!present.contains(id)) {
                    batch.add(bytes);
                    staged.add(id);
                }
            });
            List<String> written = batch.write();
            if (!written.equals(staged)) {
                throw new GitOperationError(description, replica, GitOperationError.Kind.FAILED,
                        List.of("hash-object"), 0, "git wrote blobs " + written + ", expected " + staged,
                        java.time.Duration.ZERO, clone.path(), null);
            }
        }
        return ids;
    }

    /**
     * Whether an atomic push failed only because of its other refs: {@code ref}'s own line in the
     * porcelain output says {@code atomic push failed}, not a stale lease or a non-fast-forward.
     */
    private static boolean onlyOthersRejected(GitProcess.Result r, String ref) {
        for (String line : r.out().split("\n")) {
            if (line.startsWith("!") && line.contains(":" + ref + "\t")) {
                return line.contains("atomic push failed");
            }
        }
        return false;
    }

    /**
     * Whether a (non-atomic) push updated {@code ref}: its porcelain line's flag is not {@code !}
     * (rejected); a push that failed as a whole (no line for it) did not.
     */
    private static boolean landed(GitProcess.Result r, String ref) {
        for (String line : r.out().split("\n")) {
            if (line.length() > 1 && line.charAt(1) == '\t' && line.contains(":" + ref + "\t")) {
                return " +*=-".indexOf(line.charAt(0)) >= 0;
            }
        }
        return false;
    }

    /** {@code rev-list --count} of {@code commit}, known without git for this store's last publication. */
    private int depthOf(String commit, ReplicaId replica) {
        Integer known = depths.get(commit);
        return known != null ? known : clone.countCommits(commit, replica);
    }

    /**
     * Whether the remote's replica ref is still at {@code parent} (absent if null), after a fetch: an
     * atomic push the remote refused as a whole (a ref moved during its transaction) says not which ref.
     */
    private boolean stillAt(ReplicaId replica, @Nullable String parent) {
        clone.fetch(replica);
        String tip = clone.refs(LocalClone.TRACKING_PREFIX + replica.value(), replica)
                .get(LocalClone.TRACKING_PREFIX + replica.value());
        return parent == null ? tip == null : parent.equals(tip);
    }

    private static boolean sameEntries(List<LocalClone.TreeEntry> before, Map<String, String> blobs) {
        if (before.size() != blobs.size()) {
            return false;
        }
        for (LocalClone.TreeEntry e : before) {
            if (!e.isFile() || !e.id().equals(blobs.get(e.name()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The state is byte-identical to the expected revision's: no new commit (history does not grow);
     * a push of the same commit under the lease still checks that the remote is at that revision.
     */
    private Revision republish(ReplicaId replica, String ref, String parent, Revision expected) {
        GitProcess.Result r;
        try {
            r = clone.push(List.of("--force-with-lease=" + ref + ":" + parent, "origin", parent + ":" + ref), replica);
        } catch (GitOperationError timeout) {
            if (timeout.kind() != GitOperationError.Kind.TIMEOUT) {
                throw timeout;
            }
            // it pushed no new commit, so it only succeeded if the remote is still exactly at parent
            clone.fetch(replica);
            String tip = clone.refs(LocalClone.TRACKING_PREFIX + replica.value(), replica)
                    .get(LocalClone.TRACKING_PREFIX + replica.value());
            if (parent != null && parent.equals(tip)) { // compacting: there is a parent
                return expected;
            }
            throw timeout;
        }
        if (r.exitCode() == 0) {
            return expected;
        }
        GitOperationError failure = clone.error(r, replica);
        if (failure.kind() == GitOperationError.Kind.REJECTED) {
            throw new ConcurrentUpdateException(description, replica, expected, null);
        }
        throw failure;
    }

    /** A push timed out: it may have landed. Fetch and check before reporting anything. */
    private Revision resolveUnknownPush(ReplicaId replica, String commit, GitOperationError timeout) {
        log.warn("push of {} timed out; checking whether it landed", replica);
        try {
            clone.fetch(replica);
            String tip = clone.refs(LocalClone.TRACKING_PREFIX + replica.value(), replica)
                    .get(LocalClone.TRACKING_PREFIX + replica.value());
            if (tip != null && clone.hasCommit(commit, replica) && clone.isAncestor(commit, tip, replica)) {
                log.info("the timed-out push of {} had landed; published as {}", replica, commit);
                return Revision.of(commit);
            }
        } catch (GitOperationError e) {
            timeout.addSuppressed(e);
        }
        throw timeout;
    }
}
