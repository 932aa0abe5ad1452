/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.seal.ChunkContext;
import io.github.crdtmemory.seal.ChunkException;
import io.github.crdtmemory.seal.EncryptionException;
import io.github.crdtmemory.seal.Keyring;
import io.github.crdtmemory.seal.SealedManifest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Format 3: a format 2 tree whose shards are sealed ({@link Keyring}, AES-256-GCM, associated data
 * replica, format version 3 and file name), plus a sealed manifest {@code seal} that lists the SHA-256 of
 * every sealed shard, so the set is bound too. The {@code format} file stays plaintext (it says that the
 * tree is sealed and whose it is, nothing more). Publishing reuses the parent's blob of every shard whose
 * plaintext is unchanged (SHA-256 of the plaintext, kept in memory from the last read or publication) and
 * sealed under the current key: only changed shards are sealed and written, as in format 2. Reading
 * opens the manifest, checks the shards against it, then opens the shards not opened before (kept by
 * replica, position and blob id). Called under the store's lock.
 */
final class SealedTree {
    /** The format version of a sealed tree. */
    static final int VERSION = 3;
    /** The sealed manifest's file name. */
    static final String SEAL_FILE = SealedManifest.POSITION;
    /** The start of the quarantine reason of a plaintext replica in an encrypted store. */
    static final String PLAINTEXT = "its state is not encrypted for it (plaintext, or another replica's format file),"
            + " in a store this key file encrypts";
    /** The start of the quarantine reason of a replica sealed with a key this keyring lacks. */
    static final String UNKNOWN_KEY = "it is sealed with a key this key file does not hold";

    /** A sealed shard as this store knows it: enough to reuse its blob and check it against a manifest. */
    record Chunk(String keyId, String plainSha, String sealedSha, long size, @Nullable MemoryState state) {
    }

    /**
     * A sealed tree whose new files were handed over as they were made: the parent blobs it reuses, by
     * name, and the chunks it sealed.
     */
    record Sealed(Map<String, String> reuse, Map<String, Chunk> chunks) {
    }

    private final Keyring keyring;
    private final GitStoreOptions options;
    private final LocalClone clone;
    private Map<String, Chunk> chunks = new HashMap<>();
    private final Map<String, List<String>> chunksOfCommit = new HashMap<>();

    SealedTree(Keyring keyring, GitStoreOptions options, LocalClone clone) {
        this.keyring = keyring;
        this.options = options;
        this.clone = clone;
    }

    /** The exact bytes of replica {@code id}'s sealed {@code format} file. */
    static byte[] formatFile(ReplicaId id) {
        return ("{\"format\":\"crdt-memory-replica\",\"version\":" + VERSION + ",\"replica\":\"" + id.value()
                + "\",\"shards\":" + StateTree.SHARDS + ",\"sealed\":\"AES-256-GCM\"}\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    static String formatBlob(ReplicaId id) {
        return StateTree.blobId(formatFile(id));
    }

    private static String key(ReplicaId replica, String name, String blob) {
        return replica.value() + " " + name + " " + blob;
    }

    /**
     * Seals replica {@code replica}'s format 2 tree of {@code state} over {@code parent}, shard by shard
     * as {@link StateTree#encodeEach} encodes them: a shard whose plaintext and key are those of the
     * parent's blob at its place keeps that blob; every other is sealed and handed to {@code write} at
     * once, then the {@code format} file and the manifest (only the shards' digests are kept till then),
     * so neither the whole plaintext nor the whole sealed state is ever held. When every shard is reused
     * and the parent's set is the same, nothing is written: the parent's tree, as it is.
     */
    Sealed seal(ReplicaId replica, MemoryState state, List<LocalClone.TreeEntry> parent,
                BiConsumer<String, byte[]> write) {
        Map<String, String> parentIds = new HashMap<>();
        parent.forEach(e -> parentIds.put(e.name(), e.id()));
        Map<String, String> reuse = new TreeMap<>();
        Map<String, Chunk> made = new HashMap<>();
        Map<String, String> digests = new TreeMap<>();
        StateTree.encodeEach(replica, state, (name, bytes) -> {
            if (name.equals(StateTree.FORMAT_FILE)) {
                return;
            }
            String plainSha = PrivateFiles.sha256(bytes);
            String old = parentIds.get(name);
            Chunk cached = old == null ? null : chunks.get(key(replica, name, old));
            if (cached != null && cached.plainSha().equals(plainSha) && cached.keyId().equals(keyring.currentKeyId())) {
                reuse.put(name, old);
                digests.put(name, cached.sealedSha());
                return;
            }
            byte[] sealed = keyring.seal(bytes, new ChunkContext(replica, VERSION, name));
            String digest = SealedManifest.digest(sealed);
            digests.put(name, digest);
            made.put(name, new Chunk(keyring.currentKeyId(), plainSha, digest, sealed.length, null));
            write.accept(name, sealed);
        });
        boolean unchanged = made.isEmpty() && parentIds.containsKey(SEAL_FILE)
                && parentIds.keySet().stream().filter(n -> StateTree.shardIndex(n) >= 0).count() == reuse.size();
        if (unchanged) { // the parent's tree, as it is: no new commit
            reuse.put(SEAL_FILE, parentIds.get(SEAL_FILE));
            reuse.put(StateTree.FORMAT_FILE, parentIds.get(StateTree.FORMAT_FILE));
        } else {
            write.accept(StateTree.FORMAT_FILE, formatFile(replica));
            write.accept(SEAL_FILE, SealedManifest.seal(keyring, replica, VERSION, digests));
        }
        return new Sealed(reuse, made);
    }

    /** Remembers the chunks of a publication of {@code replica} as {@code commit} (name to blob id). */
    void published(ReplicaId replica, String commit, Map<String, String> blobs, Map<String, Chunk> made) {
        List<String> keys = new ArrayList<>();
        blobs.forEach((name, id) -> {
            if (StateTree.shardIndex(name) >= 0) {
                keys.add(key(replica, name, id));
                if (made.containsKey(name)) {
                    chunks.put(key(replica, name, id), made.get(name));
                }
            }
        });
        chunksOfCommit.put(replica.value() + " " + commit, keys);
    }

    /** Forgets every chunk not of replica {@code ids.get(i)} at {@code commits.get(i)}. */
    void retain(List<ReplicaId> ids, List<String> commits) {
        Map<String, Chunk> keep = new HashMap<>();
        Set<String> commitKeys = new java.util.HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String c = ids.get(i).value() + " " + commits.get(i);
            commitKeys.add(c);
            for (String k : chunksOfCommit.getOrDefault(c, List.of())) {
                if (chunks.containsKey(k)) {
                    keep.put(k, chunks.get(k));
                }
            }
        }
        chunksOfCommit.keySet().retainAll(commitKeys);
        chunks = keep;
    }

    /**
     * The plan of a sealed tree: its shards and its manifest ({@link StateReader.Plan} shard index
     * {@code StateTree.SHARDS} for the manifest), or a String: why it cannot be read.
     */
    static Object plan(String commit, List<LocalClone.TreeEntry> tree) {
        List<String> blobs = new ArrayList<>();
        List<Integer> shards = new ArrayList<>();
        for (LocalClone.TreeEntry e : tree) {
            if (e.name().equals(StateTree.FORMAT_FILE)) {
                continue;
            }
            int shard = e.name().equals(SEAL_FILE) ? StateTree.SHARDS : StateTree.shardIndex(e.name());
            if (shard < 0 || !e.isFile()) {
                return "unexpected " + e.type() + " '" + e.name() + "' in the sealed tree at " + commit;
            }
            blobs.add(e.id());
            shards.add(shard);
        }
        if (!shards.contains(StateTree.SHARDS)) {
            return "the sealed tree at " + commit + " has no seal manifest";
        }
        return new StateReader.Plan(VERSION, blobs, shards);
    }

    /**
     * Reads the sealed plans ({@code plans[i]} of version {@link #VERSION}) into {@code out} and clears
     * them. A chunk that does not open, or is not the one the manifest names, makes its replica's read a
     * problem (quarantine). A key this keyring lacks is a problem too, unless it is the caller's own
     * replica or no sealed replica of this read opened at all: then it is a wrong key file, an
     * {@link EncryptionException}, before anything is written.
     */
    void read(List<ReplicaId> ids, List<String> commits, StateReader.Plan[] plans, StateReader.Read[] out,
              @Nullable ReplicaId caller, String store) {
        Set<String> needed = new LinkedHashSet<>();
        for (int i = 0; i < plans.length; i++) {
            if (plans[i] != null && plans[i].version() == VERSION) {
                List<String> blobs = plans[i].readBlobs();
                for (int k = 0; k < blobs.size(); k++) {
                    int s = plans[i].readShards().get(k);
                    Chunk c = s == StateTree.SHARDS ? null
                            : chunks.get(key(ids.get(i), StateTree.shardName(s), blobs.get(k)));
                    if (c == null || c.state() == null) {
                        needed.add(blobs.get(k));
                    }
                }
            }
        }
        Map<String, byte[]> content = readSized(new ArrayList<>(needed), caller);
        boolean opened = false;
        List<Integer> unknown = new ArrayList<>();
        for (int i = 0; i < plans.length; i++) {
            if (plans[i] == null || plans[i].version() != VERSION) {
                continue;
            }
            StateReader.Read read = open(ids.get(i), commits.get(i), plans[i], content);
            out[i] = read;
            plans[i] = null;
            String problem = read.problem();
            if (problem != null && problem.startsWith(UNKNOWN_KEY)) {
                unknown.add(i);
            }
        }
        for (StateReader.Read read : out) { // those read before (cached) count too
            opened |= read != null && read.problem() == null && read.version() == VERSION;
        }
        for (int i : unknown) {
            if (!opened || ids.get(i).equals(caller)) {
                throw new EncryptionException(store, ids.get(i), EncryptionException.Kind.WRONG_KEY, "replica "
                        + ids.get(i) + " " + String.valueOf(out[i].problem()).substring("it ".length())
                        + ": a wrong or outdated key file (nothing was written)");
            }
        }
    }

    /**
     * Checks this keyring against the sealed manifests {@code manifests} (blob ids) of replicas
     * {@code ids}, opening nothing else, as {@link #read} would: a key this keyring lacks is a wrong key
     * file ({@link EncryptionException}) when it is the caller's own replica's or no manifest opened. A
     * manifest that fails otherwise is left to the read that quarantines it.
     */
    void checkKeys(List<ReplicaId> ids, List<String> manifests, @Nullable ReplicaId caller, String store) {
        Map<String, byte[]> content = readSized(new ArrayList<>(new LinkedHashSet<>(manifests)), caller);
        boolean opened = false;
        Map<ReplicaId, ChunkException> unknown = new java.util.LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            byte[] bytes = content.get(manifests.get(i));
            if (bytes == null) {
                continue;
            }
            try {
                SealedManifest.open(keyring, ids.get(i), VERSION, bytes);
                opened = true;
            } catch (ChunkException e) {
                if (e.reason() == ChunkException.Reason.UNKNOWN_KEY) {
                    unknown.put(ids.get(i), e);
                }
            }
        }
        for (Map.Entry<ReplicaId, ChunkException> u : unknown.entrySet()) {
            if (!opened || u.getKey().equals(caller)) {
                throw new EncryptionException(store, u.getKey(), EncryptionException.Kind.WRONG_KEY, "replica "
                        + u.getKey() + " " + UNKNOWN_KEY.substring("it ".length()) + " (" + u.getValue().keyId()
                        + "; it holds " + keyring.keyIds() + "): a wrong or outdated key file (nothing was written)");
            }
        }
    }

    /** The blobs, each over the size limit left out (its replica's open then fails on it). */
    private Map<String, byte[]> readSized(List<String> names, @Nullable ReplicaId caller) {
        List<LocalClone.ObjectInfo> infos = clone.inspect(names, caller);
        List<String> small = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            LocalClone.ObjectInfo info = infos.get(i);
            if (info != null && info.type().equals("blob") && info.size() <= options.maxStateBytes()) {
                small.add(names.get(i));
            }
        }
        List<byte[]> blobs = clone.readInspected(small, caller);
        Map<String, byte[]> content = new HashMap<>();
        for (int i = 0; i < small.size(); i++) {
            if (blobs.get(i) != null) {
                content.put(small.get(i), blobs.get(i));
            }
        }
        return content;
    }

    private StateReader.Read open(ReplicaId id, String commit, StateReader.Plan plan, Map<String, byte[]> content) {
        List<String> blobs = plan.readBlobs();
        List<Integer> shards = plan.readShards();
        byte[] manifestBytes = content.get(blobs.get(shards.indexOf(StateTree.SHARDS)));
        if (manifestBytes == null) {
            return StateReader.Read.problem("the seal manifest at " + commit + " is missing or over the size limit");
        }
        try {
            SortedMap<String, String> manifest = SealedManifest.open(keyring, id, VERSION, manifestBytes);
            Map<String, String> digests = new TreeMap<>();
            Map<String, Chunk> found = new HashMap<>();
            long total = 0;
            for (int k = 0; k < blobs.size(); k++) {
                int s = shards.get(k);
                if (s == StateTree.SHARDS) {
                    continue;
                }
                String name = StateTree.shardName(s);
                Chunk c = chunks.get(key(id, name, blobs.get(k)));
                byte[] bytes = content.get(blobs.get(k));
                if ((c == null || c.state() == null) && bytes == null) {
                    return StateReader.Read.problem("a shard of its state at " + commit + " (" + blobs.get(k)
                            + ") is over the limit of " + options.maxStateBytes() + " bytes, or not a file");
                }
                String sealedSha;
                if (c != null) {
                    sealedSha = c.sealedSha();
                    total += c.size();
                } else {
                    byte[] read = Objects.requireNonNull(bytes, "checked above: no chunk, so its bytes were read");
                    sealedSha = SealedManifest.digest(read);
                    total += read.length;
                }
                digests.put(name, sealedSha);
                found.put(name, c);
            }
            if (total > options.maxStateBytes()) {
                return StateReader.Read.problem("its state at " + commit + " is " + total + " bytes, over the limit of "
                        + options.maxStateBytes() + " bytes");
            }
            SealedManifest.check(manifest, digests, id);
            List<MemoryState> states = new ArrayList<>();
            for (int k = 0; k < blobs.size(); k++) {
                int s = shards.get(k);
                if (s != StateTree.SHARDS) {
                    String name = StateTree.shardName(s);
                    states.add(openShard(id, commit, s, blobs.get(k), found.get(name), content.get(blobs.get(k)),
                            Objects.requireNonNull(digests.get(name), "every shard was digested above")));
                }
            }
            return StateReader.Read.of(MemoryState.joinAll(states), null, VERSION);
        } catch (ChunkException e) {
            return StateReader.Read.problem((e.reason() == ChunkException.Reason.UNKNOWN_KEY
                    ? UNKNOWN_KEY + " (" + e.keyId() + "; it holds " + keyring.keyIds() + ")"
                    : "a chunk fails authentication: " + e.getMessage()) + " at " + commit);
        } catch (MemoryFormatException | ShardException e) {
            return StateReader.Read.problem("unreadable state: " + e.getMessage() + " at " + commit);
        }
    }

    /** A sealed shard that opened but holds atoms of another shard. */
    private static final class ShardException extends Exception {
        private static final long serialVersionUID = 1L;

        ShardException(String message) {
            super(message);
        }
    }

    private MemoryState openShard(ReplicaId id, String commit, int shard, String blob, @Nullable Chunk cached,
                                  byte @Nullable [] read, String sealedSha) throws ChunkException, ShardException {
        MemoryState known = cached == null ? null : cached.state();
        if (known != null) {
            return known;
        }
        // open() returned a problem already for a shard neither cached nor read
        byte[] bytes = Objects.requireNonNull(read, "a shard not cached was read");
        String name = StateTree.shardName(shard);
        byte[] plain = keyring.open(bytes, new ChunkContext(id, VERSION, name));
        MemoryState state = StateCodec.decode(plain, clone.path() + " " + commit + ":" + name);
        String misplaced = StateReader.misplaced(state, shard);
        if (misplaced != null) {
            throw new ShardException(misplaced);
        }
        String keyId = Objects.requireNonNull(Keyring.keyIdOf(bytes), "a chunk that opened names its key");
        chunks.put(key(id, name, blob), new Chunk(keyId, PrivateFiles.sha256(plain), sealedSha,
                bytes.length, state));
        return state;
    }
}
