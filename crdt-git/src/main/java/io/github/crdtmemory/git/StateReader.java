/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.seal.EncryptionException;
import io.github.crdtmemory.seal.Keyring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads replica states out of commits of either format version ({@link StateTree}) with three git
 * processes whatever their number (the trees, the sizes, the blobs), and only for what it has not read
 * before: decoded states are kept by commit, decoded shards by blob id, so a replica that changed one
 * shard costs one small blob. A replica whose state cannot be read gets a problem (its quarantine
 * reason) instead; a newer format version than {@link StateTree#VERSION} throws
 * {@link GitOperationError.Kind#UNSUPPORTED_FORMAT}. Called under the store's lock.
 */
final class StateReader {
    /** The largest tree a replica's state can have (format 2: a format file and 64 shards, ~2.5 KB). */
    static final int MAX_TREE_BYTES = 64 * 1024;
    /**
     * The state of one replica at one commit, or why it cannot be read.
     *
     * @param state the state, or null when {@code problem} says why not
     * @param problem null when the state was read
     * @param sha256 SHA-256 of the state's canonical {@link StateCodec} encoding when known (version 1), else null
     * @param version the format version of the tree (0 if not known)
     */
    record Read(@Nullable MemoryState state, @Nullable String problem, @Nullable String sha256, int version,
                boolean absent) {
        /** The state of a read without a problem. */
        MemoryState valid() {
            if (state == null) {
                throw new IllegalStateException("no state: " + problem);
            }
            return state;
        }

        static Read problem(String why) {
            return new Read(null, why, null, 0, false);
        }

        /** The commit holds no state of this replica at all (another replica's commit, say). */
        static Read absent(String why) {
            return new Read(null, why, null, 0, true);
        }

        static Read of(MemoryState state, @Nullable String sha256, int version) {
            return new Read(state, null, sha256, version, false);
        }
    }

    /** A decoded shard and the size of its blob. */
    private record Shard(@Nullable MemoryState state, long size) {
    }

    /** A tree that holds no state of the replica asked for. */
    private record Absent(String why) {
    }

    /** What a tree holds: the blob ids to read, and for version 2 their shard indexes. */
    record Plan(int version, @Nullable List<String> blobs, @Nullable List<Integer> shards) {
        /** The blobs of a readable plan (one with blobs). */
        List<String> readBlobs() {
            return Objects.requireNonNull(blobs, "a plan without blobs");
        }

        /** The shard indexes of a readable version 2 plan. */
        List<Integer> readShards() {
            return Objects.requireNonNull(shards, "a plan without shards");
        }
    }

    private final LocalClone clone;
    private final GitStoreOptions options;
    private final String store;
    private Map<String, Read> byCommit = new HashMap<>();
    private Map<String, Shard> byBlob = new HashMap<>();
    private final Map<String, List<String>> blobsOfCommit = new HashMap<>();
    /** The format 2 tree id of the states of {@link #byCommit}, where known. */
    private final Map<String, String> treeIds = new HashMap<>();
    /** The replica each format file read names. */
    private final Map<String, String> formatReplica = new HashMap<>();
    /** The sealed trees' reader and writer, or null when the store is not encrypted. */
    private final @Nullable SealedTree sealed;

    StateReader(LocalClone clone, GitStoreOptions options, String store, @Nullable Keyring keyring) {
        this.clone = clone;
        this.options = options;
        this.store = store;
        this.sealed = keyring == null ? null : new SealedTree(keyring, options, clone);
    }

    /** The sealed trees of an encrypted store, or null. */
    @Nullable SealedTree sealed() {
        return sealed;
    }

    /**
     * The id of the format 2 tree of {@code read}, the state of {@code replica} at {@code commit}
     * ({@link StateTree#treeId(ReplicaId, MemoryState)}): computed once, then kept with the state.
     */
    String stateTree(ReplicaId replica, String commit, Read read) {
        return treeIds.computeIfAbsent(key(replica, commit), k -> StateTree.treeId(replica, read.valid()));
    }

    /**
     * Checks the store's mode and key against replicas {@code ids} at {@code commits} as {@link #read}
     * would, reading their trees and (encrypted) their sealed manifests, no state: a sealed replica in
     * a plaintext store is {@code KEY_REQUIRED}, a key file that opens none of them {@code WRONG_KEY}.
     *
     * @return a plaintext replica when an encrypted store found some and no sealed one (the caller
     *         refuses it), else null
     */
    @Nullable ReplicaId checkMode(List<ReplicaId> ids, List<String> commits, @Nullable ReplicaId caller) {
        List<List<LocalClone.TreeEntry>> trees = clone.trees(commits, caller);
        List<ReplicaId> sealedIds = new ArrayList<>();
        List<String> manifests = new ArrayList<>();
        ReplicaId plain = null;
        for (int i = 0; i < ids.size(); i++) {
            List<LocalClone.TreeEntry> tree = trees.get(i) == null ? List.of() : trees.get(i);
            LocalClone.TreeEntry format = entry(tree, StateTree.FORMAT_FILE);
            if (format != null && format.id().equals(SealedTree.formatBlob(ids.get(i)))) {
                LocalClone.TreeEntry manifest = entry(tree, SealedTree.SEAL_FILE);
                if (sealed == null) {
                    plan(ids.get(i), commits.get(i), tree, new HashMap<>()); // throws KEY_REQUIRED
                } else if (manifest != null && manifest.isFile()) {
                    sealedIds.add(ids.get(i));
                    manifests.add(manifest.id());
                }
            } else {
                boolean state = format != null || entry(tree, ids.get(i).value() + ".state") != null;
                plain = plain == null && state ? ids.get(i) : plain;
            }
        }
        if (sealed != null && !sealedIds.isEmpty()) {
            sealed.checkKeys(sealedIds, manifests, caller, store);
        }
        return sealed != null && sealedIds.isEmpty() ? plain : null;
    }

    /**
     * Remembers a state just published as {@code commit} with the given shard blobs (name to id, their
     * sizes in {@code sizes}) and its format 2 tree id; a sealed state is remembered alone (its chunks
     * are {@link SealedTree#published}'s, and no plaintext tree id is kept for it).
     */
    void published(ReplicaId replica, String commit, MemoryState state, @Nullable String stateTree,
                   Map<String, String> shardBlobs, Map<String, Long> sizes) {
        if (sealed != null) { // its chunks are the sealer's; no plaintext tree id is kept for it
            byCommit.put(key(replica, commit), Read.of(state, null, SealedTree.VERSION));
            return;
        }
        List<String> ids = new ArrayList<>();
        shardBlobs.forEach((name, id) -> {
            int shard = StateTree.shardIndex(name);
            if (shard >= 0) {
                ids.add(id);
                if (!byBlob.containsKey(id)) {
                    byBlob.put(id, new Shard(null, Objects.requireNonNull(sizes.get(name), name))); // decoded lazily if ever needed
                }
            }
        });
        byCommit.put(key(replica, commit), Read.of(state, null, StateTree.VERSION));
        if (stateTree != null) {
            treeIds.put(key(replica, commit), stateTree);
        }
        blobsOfCommit.put(key(replica, commit), ids);
    }

    private static String key(ReplicaId replica, String commit) {
        return replica.value() + " " + commit;
    }

    /** Forgets every state and shard not needed for replica {@code ids.get(i)} at {@code commits.get(i)}. */
    void retain(List<ReplicaId> ids, List<String> commits) {
        Map<String, Read> keep = new HashMap<>();
        Map<String, Shard> keepBlobs = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String c = key(ids.get(i), commits.get(i));
            Read r = byCommit.get(c);
            if (r != null) {
                keep.put(c, r);
                for (String id : blobsOfCommit.getOrDefault(c, List.of())) {
                    Shard s = byBlob.get(id);
                    if (s != null) {
                        keepBlobs.put(id, s);
                    }
                }
            }
        }
        blobsOfCommit.keySet().retainAll(keep.keySet());
        treeIds.keySet().retainAll(keep.keySet());
        byCommit = keep;
        if (sealed != null) {
            sealed.retain(ids, commits);
        }
        byBlob = keepBlobs;
    }

    /**
     * Takes out of {@code todo}, with a problem in {@code out}, every replica whose tree is larger than
     * any state's tree can be ({@value #MAX_TREE_BYTES} bytes; a format 2 tree has at most 65 entries),
     * so that a replica that pushes a tree of millions of entries is quarantined before its tree is read
     * (one {@code cat-file --batch-check} for all). A missing tree is left for the tree read to report.
     */
    private void skipOversizedTrees(List<String> commits, List<Integer> todo, Read[] out,
                                    @Nullable ReplicaId caller) {
        List<String> names = new ArrayList<>();
        todo.forEach(i -> names.add(commits.get(i) + "^{tree}"));
        List<LocalClone.ObjectInfo> trees = clone.inspect(names, caller);
        for (int k = todo.size() - 1; k >= 0; k--) {
            LocalClone.ObjectInfo tree = trees.get(k);
            if (tree != null && tree.size() > MAX_TREE_BYTES) {
                int i = todo.remove(k);
                out[i] = Read.problem("its tree at " + commits.get(i) + " has " + tree.size()
                        + " bytes, more than the " + MAX_TREE_BYTES + " a state's tree can take");
            }
        }
    }

    /** Reads the state of replica {@code ids.get(i)} at {@code commits.get(i)}, for each i. */
    List<Read> read(List<ReplicaId> ids, List<String> commits, @Nullable ReplicaId caller) {
        Read[] out = new Read[ids.size()];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            out[i] = byCommit.get(key(ids.get(i), commits.get(i)));
            if (out[i] == null) {
                todo.add(i);
            }
        }
        skipOversizedTrees(commits, todo, out, caller);
        if (todo.isEmpty()) {
            return List.of(out);
        }
        List<String> todoCommits = new ArrayList<>();
        todo.forEach(i -> todoCommits.add(commits.get(i)));
        List<List<LocalClone.TreeEntry>> trees = clone.trees(todoCommits, caller);
        Plan[] plans = new Plan[ids.size()];
        Map<String, Integer> formatFiles = new HashMap<>();
        for (int k = 0; k < todo.size(); k++) {
            int i = todo.get(k);
            if (trees.get(k) == null) {
                throw corrupt(ids.get(i), "commit " + commits.get(i) + " is missing in the local clone");
            }
            Object planOrProblem = plan(ids.get(i), commits.get(i), trees.get(k), formatFiles);
            if (planOrProblem instanceof String problem) {
                out[i] = Read.problem(problem);
            } else if (planOrProblem instanceof Absent absent) {
                out[i] = Read.absent(absent.why());
            } else {
                plans[i] = (Plan) planOrProblem;
            }
        }
        checkFormats(formatFiles, caller);
        for (int i : todo) {
            if (plans[i] != null && plans[i].version() == -1) {
                plans[i] = versionedPlan(ids.get(i), commits.get(i), trees.get(todo.indexOf(i)), formatFiles);
                if (plans[i].blobs() == null) {
                    out[i] = plans[i].version() == -2
                            ? Read.absent("commit " + commits.get(i) + " holds no state of replica " + ids.get(i))
                            : plans[i].version() > StateTree.VERSION
                            ? Read.problem("its state at " + commits.get(i) + " is in format version "
                                    + plans[i].version() + "; this program reads versions 1 to " + StateTree.VERSION
                                    + ": upgrade it to merge this replica")
                            : Read.problem("the format file at " + commits.get(i) + " is not one this code knows");
                    plans[i] = null;
                }
            }
        }
        if (sealed != null) {
            sealed.read(ids, commits, plans, out, caller, store);
            for (int i : todo) {
                if (out[i] != null && out[i].problem() == null) {
                    byCommit.put(key(ids.get(i), commits.get(i)), out[i]);
                }
            }
        }
        readPlans(ids, commits, plans, out, caller);
        return List.of(out);
    }

    /**
     * The plan of a tree: version 1 ({@code <id>.state}), version 2 (canonical {@code format} file), or
     * version -1 when its {@code format} file must be read first (its id is put in {@code formatFiles});
     * or a String: why the replica cannot be read.
     */
    private Object plan(ReplicaId id, String commit, List<LocalClone.TreeEntry> tree,
                        Map<String, Integer> formatFiles) {
        LocalClone.TreeEntry format = entry(tree, StateTree.FORMAT_FILE);
        if (format != null) {
            if (!format.isFile()) {
                return "the format entry at " + commit + " is a " + format.type() + ", not a file";
            }
            if (format.id().equals(SealedTree.formatBlob(id))) {
                if (sealed == null) {
                    throw new EncryptionException(store, id, EncryptionException.Kind.KEY_REQUIRED, "replica " + id
                            + "'s state is encrypted: give the store's key file (--key-file or MEMORY_BACKUP_KEY_FILE);"
                            + " nothing was written");
                }
                return SealedTree.plan(commit, tree);
            }
            if (sealed != null) {
                return SealedTree.PLAINTEXT + " (commit " + commit + ")";
            }
            if (format.id().equals(StateTree.formatBlob(id))) {
                return shardPlan(commit, tree);
            }
            formatFiles.put(format.id(), -1);
            return new Plan(-1, List.of(), List.of());
        }
        LocalClone.TreeEntry state = entry(tree, id.value() + ".state");
        if (state == null) {
            return new Absent("commit " + commit + " holds no state of replica " + id + " (no " + id + ".state)");
        }
        if (!state.isFile()) {
            return id + ".state at " + commit + " is a " + state.type() + ", not a file";
        }
        if (sealed != null) {
            return SealedTree.PLAINTEXT + " (commit " + commit + ")";
        }
        return new Plan(1, List.of(state.id()), List.of(-1));
    }

    private static Object shardPlan(String commit, List<LocalClone.TreeEntry> tree) {
        List<String> blobs = new ArrayList<>();
        List<Integer> shards = new ArrayList<>();
        for (LocalClone.TreeEntry e : tree) {
            if (e.name().equals(StateTree.FORMAT_FILE)) {
                continue;
            }
            int shard = StateTree.shardIndex(e.name());
            if (shard < 0 || !e.isFile()) {
                return "unexpected " + e.type() + " '" + e.name() + "' in the format 2 tree at " + commit;
            }
            blobs.add(e.id());
            shards.add(shard);
        }
        return new Plan(2, blobs, shards);
    }

    /** Throws {@link GitOperationError.Kind#UNSUPPORTED_FORMAT} if the format file {@code blob} names a newer version. */
    void refuseNewer(String blob, @Nullable ReplicaId caller) {
        Map<String, Integer> one = new HashMap<>();
        one.put(blob, -1);
        checkFormats(one, caller);
        int version = one.get(blob);
        if (version > StateTree.VERSION) {
            throw new GitOperationError(store, caller, GitOperationError.Kind.UNSUPPORTED_FORMAT,
                    List.of("cat-file", "--batch"), 0, "the replica's state on the remote is in format version "
                    + version + "; this program reads versions 1 to " + StateTree.VERSION
                    + ": upgrade it (nothing was changed)", Duration.ZERO, clone.path(), null);
        }
    }

    /**
     * Reads format files that are not the canonical version 2 one. A newer version is not an error here:
     * that replica is quarantined (one replica on newer software must not stop the others' syncs).
     */
    private void checkFormats(Map<String, Integer> formatFiles, @Nullable ReplicaId caller) {
        if (formatFiles.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(formatFiles.keySet());
        List<LocalClone.ObjectInfo> infos = clone.inspect(ids, caller);
        List<String> small = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (infos.get(i) != null && infos.get(i).type().equals("blob") && infos.get(i).size() <= 4096) {
                small.add(ids.get(i));
            }
        }
        List<byte[]> contents = clone.readInspected(small, caller);
        for (int i = 0; i < small.size(); i++) {
            int version = contents.get(i) == null ? -1 : StateTree.versionOf(contents.get(i));
            formatFiles.put(small.get(i), version);
            if (contents.get(i) != null) {
                formatReplica.put(small.get(i), StateTree.replicaOf(contents.get(i)));
            }
        }
    }

    private Plan versionedPlan(ReplicaId id, String commit, List<LocalClone.TreeEntry> tree,
                               Map<String, Integer> formatFiles) {
        String formatId = Objects.requireNonNull(entry(tree, StateTree.FORMAT_FILE), "the format file").id();
        int version = formatFiles.getOrDefault(formatId, -1);
        if (version != StateTree.VERSION) {
            return new Plan(version, null, null);
        }
        if (!id.value().equals(formatReplica.get(formatId))) {
            return new Plan(-2, null, null);
        }
        Object p = shardPlan(commit, tree); // a format 2 file written differently: read it all the same
        return p instanceof Plan plan ? plan : new Plan(version, null, null);
    }

    /** Checks sizes, reads the blobs not cached, decodes; fills {@code out} where a plan is. */
    private void readPlans(List<ReplicaId> ids, List<String> commits, Plan[] plans, Read[] out,
            @Nullable ReplicaId caller) {
        Set<String> needed = new LinkedHashSet<>();
        for (Plan p : plans) {
            if (p != null) {
                p.readBlobs().stream().filter(b -> p.version() == 1 || !byBlob.containsKey(b)
                        || byBlob.get(b).state() == null).forEach(needed::add);
            }
        }
        List<String> neededList = new ArrayList<>(needed);
        List<LocalClone.ObjectInfo> infos = clone.inspect(neededList, caller);
        Map<String, LocalClone.ObjectInfo> info = new HashMap<>();
        for (int i = 0; i < neededList.size(); i++) {
            if (infos.get(i) == null) { // the tree names the blob, so the remote has it: our clone lost it
                throw corrupt(caller, "object " + neededList.get(i) + " is missing or corrupt in the local clone");
            }
            info.put(neededList.get(i), infos.get(i));
        }
        Set<String> toRead = new HashSet<>();
        for (int i = 0; i < plans.length; i++) {
            if (plans[i] == null) {
                continue;
            }
            String problem = sizeProblem(commits.get(i), plans[i], info);
            if (problem != null) {
                out[i] = Read.problem(problem);
                plans[i] = null;
            } else {
                plans[i].readBlobs().stream().filter(info::containsKey).forEach(toRead::add);
            }
        }
        Map<String, Object> decoded = decodeAll(ids, commits, plans, toRead, caller);
        for (int i = 0; i < plans.length; i++) {
            if (plans[i] != null) {
                out[i] = decode(commits.get(i), plans[i], decoded);
                if (out[i].problem() == null) {
                    byCommit.put(key(ids.get(i), commits.get(i)), out[i]);
                    blobsOfCommit.put(key(ids.get(i), commits.get(i)), plans[i].version() == 2 ? plans[i].readBlobs()
                            : List.of());
                }
            }
        }
    }

    /** A version 1 state read: its state and the SHA-256 of its blob. */
    private record Whole(MemoryState state, String sha256) {
    }

    /**
     * Reads and decodes the blobs {@code toRead} with one {@code cat-file --batch}, each as it comes off
     * the pipe (so only one encoded blob is held at a time): blob id to its decoded state ({@link Whole}
     * for a version 1 state, a {@link MemoryState} for a shard) or the {@link MemoryFormatException}
     * that decoding threw.
     */
    private Map<String, Object> decodeAll(List<ReplicaId> ids, List<String> commits, Plan[] plans, Set<String> toRead,
                                          @Nullable ReplicaId caller) {
        Map<String, String> sources = new HashMap<>();
        Set<String> whole = new HashSet<>();
        for (int i = 0; i < plans.length; i++) {
            Plan p = plans[i];
            for (int k = 0; p != null && k < p.readBlobs().size(); k++) {
                String name = p.version() == 1 ? ids.get(i) + ".state" : StateTree.shardName(p.readShards().get(k));
                sources.putIfAbsent(p.readBlobs().get(k), store + " " + commits.get(i) + ":" + name);
                if (p.version() == 1) {
                    whole.add(p.readBlobs().get(k));
                }
            }
        }
        List<String> readList = new ArrayList<>(toRead);
        Map<String, Object> decoded = new HashMap<>();
        clone.readEach(readList, "blob", caller, (k, id, bytes) -> {
            String blob = readList.get(k);
            if (bytes == null) {
                return;
            }
            try {
                MemoryState state = StateCodec.decode(bytes, sources.getOrDefault(blob, store + " " + blob));
                decoded.put(blob, whole.contains(blob) ? new Whole(state, PrivateFiles.sha256(bytes))
                        : new Shard(state, bytes.length));
            } catch (MemoryFormatException e) {
                decoded.put(blob, e);
            }
        });
        return decoded;
    }

    /** A blob over the limit, or shards over it in total, or an object that is not a file; else null. */
    private @Nullable String sizeProblem(String commit, Plan plan, Map<String, LocalClone.ObjectInfo> info) {
        long total = 0;
        for (String blob : plan.readBlobs()) {
            LocalClone.ObjectInfo i = info.get(blob);
            long size = i != null ? i.size() : Objects.requireNonNull(byBlob.get(blob), blob).size();
            if (i != null && !i.type().equals("blob")) {
                return "object " + blob + " of its state at " + commit + " is a " + i.type() + ", not a file";
            }
            if (size > options.maxStateBytes()) {
                return (plan.version() == 1 ? "its state at " + commit + " is " : "a shard of its state at " + commit
                        + " (" + blob + ") is ") + size + " bytes, over the limit of " + options.maxStateBytes()
                        + " bytes";
            }
            total += size;
        }
        if (total > options.maxStateBytes()) {
            return "its state at " + commit + " is " + total + " bytes in " + plan.readBlobs().size()
                    + " shards, over the limit of " + options.maxStateBytes() + " bytes";
        }
        return null;
    }

    private Read decode(String commit, Plan plan, Map<String, Object> decoded) {
        if (plan.version() == 1) {
            Object one = decoded.get(plan.readBlobs().get(0));
            if (one instanceof Whole w) {
                return Read.of(w.state(), w.sha256(), 1);
            }
            return Read.problem("unreadable state: " + (one instanceof MemoryFormatException e ? e.getMessage()
                    : "blob " + plan.readBlobs().get(0) + " is missing"));
        }
        List<MemoryState> shards = new ArrayList<>();
        for (int k = 0; k < plan.readBlobs().size(); k++) {
            String blob = plan.readBlobs().get(k);
            Shard cached = byBlob.get(blob);
            MemoryState state = cached == null ? null : cached.state();
            if (state == null) {
                Object one = decoded.get(blob);
                if (!(one instanceof Shard fresh) || fresh.state() == null) {
                    return Read.problem("unreadable state: " + (one instanceof MemoryFormatException e
                            ? e.getMessage() : "blob " + blob + " is missing"));
                }
                state = fresh.state();
                String misplaced = misplaced(state, plan.readShards().get(k));
                if (misplaced != null) {
                    return Read.problem("unreadable state: " + misplaced + " at " + commit);
                }
                byBlob.put(blob, fresh);
            }
            shards.add(state);
        }
        return Read.of(MemoryState.joinAll(shards), null, 2);
    }

    /** The first atom of {@code shard} that belongs in another shard, described; null if none. */
    static @Nullable String misplaced(MemoryState shard, int index) {
        LwwMap<AtomKey> atoms = shard.atoms();
        for (LwwMap.Cursor<AtomKey> c = atoms.cursor(); c.hasEntry(); c.advance()) {
            if (StateTree.shardOf(c.key()) != index) {
                return "atom " + c.key() + " is in " + StateTree.shardName(index) + ", not "
                        + StateTree.shardName(StateTree.shardOf(c.key()));
            }
        }
        return null;
    }

    private static LocalClone.@Nullable TreeEntry entry(List<LocalClone.TreeEntry> tree, String name) {
        for (LocalClone.TreeEntry e : tree) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private GitOperationError corrupt(@Nullable ReplicaId replica, String what) {
        return new GitOperationError(store, replica, GitOperationError.Kind.CORRUPT, List.of("cat-file", "--batch"), 0,
                what, Duration.ZERO, clone.path(), null);
    }
}
