/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import io.github.crdtmemory.store.Quarantine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The human-readable side of a git store: {@code main} holds the merged view of every replica in the
 * MCP server's format, one file per shard ({@link MainTree}, layout 2; layout 1's single
 * {@code memory.jsonl} is still read), and {@code manifest.json}, listing each replica's commit and
 * state checksum. Derived data, published best effort with compare-and-swap and jittered
 * retry; the replica refs stay the source of truth. Called under the store's lock.
 */
final class UnifiedView {
    private static final Logger log = LoggerFactory.getLogger(UnifiedView.class);
    private static final JsonFactory JSON = new JsonFactory();
    /** How long a writer waits for {@code main} to move before it rebuilds it though it does not lead. */
    static final long LEADER_WAIT_MILLIS = 5000;
    /** The first pause of a writer that waits for {@code main} (then doubled each time, up to 2 s). */
    static final long POLL_MILLIS = 1_500;
    /** A manifest (or a commit of {@code main}) larger than this is not read: it is not one of ours. */
    static final long MAX_MANIFEST_BYTES = 4L << 20;

    private final LocalClone clone;
    private final String store;
    private volatile @Nullable Snapshot last;
    // SHA-256 of the states' canonical encodings by commit, as read or published: not encoded again
    private volatile Map<String, String> shas = Map.of();
    private volatile GitStore.UnifiedStatus status = GitStore.UnifiedStatus.NOT_ATTEMPTED;
    /** The root tree this store built last, and its view files (name to blob id). */
    private @Nullable String viewTree;
    private Map<String, String> viewTreeBlobs = Map.of();

    UnifiedView(LocalClone clone, String store) {
        this.clone = clone;
        this.store = store;
    }

    GitStore.UnifiedStatus status() {
        return status;
    }

    void remember(Snapshot snapshot, Map<String, String> stateShas) {
        last = snapshot;
        shas = Map.copyOf(stateShas);
    }

    /**
     * A new {@code main} built for a publication, to push together with the replica ref.
     *
     * @param commit the new commit of {@code main}
     * @param lease the commit {@code main} must still be at on the remote ({@code ""}: absent)
     */
    record Update(String commit, String lease) {
    }

    /**
     * Builds the {@code main} that adds {@code published} to the view of the last read (no fetch: the
     * lease is the {@code main} fetched with that read, so a stale view cannot overwrite a newer one).
     *
     * @return the update to push, or null if nothing was read yet or {@code main} already holds this view
     */
    @Nullable Update prepare(ReplicaId replica, PublishedState published, String publishedTree) {
        Snapshot remembered = last;
        if (remembered == null) {
            return null;
        }
        List<PublishedState> states = new ArrayList<>();
        remembered.states().stream().filter(s -> !s.replica().equals(replica)).forEach(states::add);
        states.add(published);
        Map<String, String> known = new HashMap<>(shas);
        known.put(published.revision().token(), publishedTree);
        return build(replica, Snapshot.of(states), known);
    }

    /** Building the update failed (logged by the caller); nothing more is tried for this publication. */
    void failed() {
        status = GitStore.UnifiedStatus.FAILED;
    }

    /** The prepared update was pushed with the replica ref. */
    void pushed() {
        status = GitStore.UnifiedStatus.PUBLISHED;
    }

    /**
     * Publishes the view with {@code published} on its own push, after the replica ref landed. The first
     * attempt, if {@code fromLastRead}, builds on the last read (as {@link #prepare}). Otherwise (the
     * first try of {@code main} lost its lease: another writer moved it) this writer waits a moment,
     * fetches, and stops if
     * the fetched {@code main} already lists the publication ({@link GitStore.UnifiedStatus#INCLUDED}).
     * If not, one writer rebuilds {@code main} for all: the <em>leader</em>, the replica of smallest id
     * among those whose current commit {@code main} does not list. The others wait for {@code main} to
     * move (fetching only {@code main}) and look again; the writer of rank {@code k} in that order that
     * has seen {@code main} stand still for {@code k} times {@link #LEADER_WAIT_MILLIS} builds it itself
     * (a leader that is gone or slow is replaced by one writer at a time, not all at once). So a burst of
     * writers rebuilds {@code main} a few times, not once per writer; a leader whose push landed fetches
     * once more and rebuilds if writers landed meanwhile (they wait on it). Up to {@code attempts} pushes.
     *
     * @param read reads the states after a fetch, given the replicas that fetch quarantined
     */
    void publish(ReplicaId replica, PublishedState published, String publishedTree,
                 Function<List<Quarantine>, Snapshot> read, int attempts, boolean fromLastRead) {
        String commit = published.revision().token();
        int pushes = 0;
        try {
            if (fromLastRead && last != null) {
                pushes++;
                Update update = prepare(replica, published, publishedTree);
                if (update == null || push(update, replica)) {
                    return;
                }
            }
            boolean waiting = false;
            long patience = 0; // when this writer stops waiting for the writers before it
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(100, 300));
            while (pushes < attempts) {
                List<Quarantine> unfetched = clone.fetch(replica);
                String manifest = fetchedManifest(replica);
                if (lists(commit, manifest)) {
                    status = GitStore.UnifiedStatus.INCLUDED;
                    return;
                }
                int rank = rank(replica, manifest);
                if (!waiting) {
                    waiting = true;
                    patience = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEADER_WAIT_MILLIS * rank);
                }
                if (rank > 0 && System.nanoTime() < patience) {
                    if (awaitMain(replica, commit, patience)) {
                        status = GitStore.UnifiedStatus.INCLUDED;
                        return;
                    }
                    waiting = System.nanoTime() >= patience; // main moved without this publication: look again
                    continue;
                }
                pushes++;
                Snapshot snapshot = read.apply(unfetched);
                Map<String, String> known = new HashMap<>(shas);
                known.put(commit, publishedTree);
                Update update = build(replica, snapshot, known);
                if (update == null) {
                    return;
                }
                if (push(update, replica)) { // the writers that landed meanwhile wait on this one: include them
                    if (pushes >= attempts) {
                        return;
                    }
                    unfetched = clone.fetch(replica);
                    if (!othersLanded(replica, unfetched)) {
                        return;
                    }
                    snapshot = read.apply(unfetched);
                    update = build(replica, snapshot, shas);
                    if (update == null || pushes++ >= attempts || push(update, replica)) {
                        return;
                    }
                }
                waiting = false;
                TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(10, 40L << pushes));
            }
        } catch (GitOperationError e) {
            if (e.kind() == GitOperationError.Kind.CORRUPT) {
                throw e;
            }
            status = GitStore.UnifiedStatus.FAILED;
            log.warn("{}: the unified view on main was not updated: {}", store, e.getMessage());
            return;
        } catch (io.github.crdtmemory.store.StoreAccessException e) { // a manifest over its limit
            status = GitStore.UnifiedStatus.FAILED;
            log.warn("{}: the unified view on main was not updated: {}", store, e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        status = GitStore.UnifiedStatus.LOST_RACE;
        log.warn("{}: other writers kept moving main; the unified view catches up at a later publication", store);
    }

    /**
     * Waits until {@code main} moves or {@code patience} runs out, fetching only {@code main}, after
     * {@link #POLL_MILLIS}, then twice as long each time (a few fetches, not one every few milliseconds
     * from every writer of a burst).
     *
     * @return whether the moved {@code main} lists {@code commit}
     */
    private boolean awaitMain(ReplicaId replica, String commit, long patience) throws InterruptedException {
        String before = clone.refs(LocalClone.MAIN_TRACKING, replica).get(LocalClone.MAIN_TRACKING);
        long pause = POLL_MILLIS;
        while (System.nanoTime() < patience) {
            long left = TimeUnit.NANOSECONDS.toMillis(patience - System.nanoTime());
            TimeUnit.MILLISECONDS.sleep(Math.max(1, Math.min(left, ThreadLocalRandom.current().nextLong(pause / 2, pause))));
            pause = Math.min(pause * 2, 4_000);
            clone.fetchMain(replica);
            String now = clone.refs(LocalClone.MAIN_TRACKING, replica).get(LocalClone.MAIN_TRACKING);
            if (now != null && !now.equals(before)) {
                return lists(commit, fetchedManifest(replica));
            }
        }
        return false;
    }

    /** Whether, after a fetch, {@code main} leaves out a replica's current commit. */
    private boolean othersLanded(ReplicaId replica, List<Quarantine> unfetched) {
        String manifest = fetchedManifest(replica);
        Set<String> skipped = new java.util.HashSet<>();
        unfetched.forEach(q -> skipped.add(LocalClone.TRACKING_PREFIX + q.replica().value()));
        return clone.refs(LocalClone.TRACKING_PREFIX, replica).entrySet().stream()
                .anyMatch(e -> !skipped.contains(e.getKey()) && !manifest.contains("\"" + e.getValue() + "\""));
    }

    /**
     * The place of {@code replica} among the fetched replica refs whose commit {@code manifest} does not
     * name, by id: 0 for the leader, which rebuilds {@code main}. A replica quarantined at the last read
     * does not count: no {@code main} lists it, so it would lead forever.
     */
    private int rank(ReplicaId replica, String manifest) {
        Set<String> quarantined = new java.util.HashSet<>(); // never listed: no leader to wait for
        Snapshot remembered = last;
        if (remembered != null) {
            remembered.quarantined().forEach(q -> quarantined.add(q.replica().value()));
        }
        int rank = 0;
        for (Map.Entry<String, String> e : clone.refs(LocalClone.TRACKING_PREFIX, replica).entrySet()) {
            String id = e.getKey().substring(LocalClone.TRACKING_PREFIX.length());
            if (!manifest.contains("\"" + e.getValue() + "\"") && id.compareTo(replica.value()) < 0
                    && !quarantined.contains(id)) {
                rank++;
            }
        }
        return rank;
    }

    /**
     * The unified view {@code main} held at {@code commit}, in either layout ({@link MainTree}): the
     * memory is {@code memory.jsonl} or the concatenation of {@code memory/*.jsonl} in name order. Every
     * object is checked to be a file, and the memory no larger than {@code maxBytes}, before it is read.
     *
     * @return the view, or null if the commit holds no manifest or no memory
     */
    GitStore.@Nullable Unified readAt(String commit, long maxBytes, @Nullable ReplicaId replica) {
        List<LocalClone.ObjectInfo> infos = clone.inspect(List.of(commit + ":" + MainTree.MANIFEST,
                commit + ":" + MainTree.MEMORY_FILE, commit + ":" + MainTree.MEMORY_DIR), replica);
        if (infos.get(0) == null || !infos.get(0).type().equals("blob") || infos.get(0).size() > maxBytes) {
            return null;
        }
        List<String> names = new ArrayList<>();
        names.add(commit + ":" + MainTree.MANIFEST);
        int layout;
        if (infos.get(2) != null && infos.get(2).type().equals("tree")) {
            layout = 2;
            List<LocalClone.TreeEntry> tree = clone.readTrees(List.of(commit + ":" + MainTree.MEMORY_DIR), replica)
                    .get(0);
            for (LocalClone.TreeEntry e : tree == null ? List.<LocalClone.TreeEntry>of() : tree) {
                if (!e.isFile() || !MainTree.isViewFile(e.name())) {
                    throw new io.github.crdtmemory.store.CorruptStateException(store, replica, "main at " + commit
                            + " holds an unexpected " + e.type() + " memory/" + e.name(), null);
                }
                names.add(e.id()); // tree order is name order
            }
        } else if (infos.get(1) != null) {
            layout = 1;
            names.add(commit + ":" + MainTree.MEMORY_FILE);
        } else {
            return null;
        }
        List<LocalClone.ObjectInfo> sizes = clone.inspect(names, replica);
        long total = 0;
        for (int i = 1; i < sizes.size(); i++) {
            total += sizes.get(i) == null ? 0 : sizes.get(i).size();
        }
        if (total > maxBytes) {
            throw new io.github.crdtmemory.store.StoreAccessException(store, replica, "the unified view on main at "
                    + commit + " is " + total + " bytes, over the limit of " + maxBytes + " bytes", null);
        }
        List<byte[]> blobs = clone.readBlobs(names, replica);
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 1; i < blobs.size(); i++) {
            if (blobs.get(i) == null) {
                return null;
            }
            files.put(String.format("%08d", i), blobs.get(i));
        }
        return new GitStore.Unified(commit, MainTree.concatenate(files), blobs.get(0), layout);
    }

    /** Pushes an update of {@code main} alone; returns false on a lost race. */
    private boolean push(Update update, ReplicaId replica) {
        GitProcess.Result r = clone.push(List.of("--force-with-lease=refs/heads/main:" + update.lease(),
                "origin", update.commit() + ":refs/heads/main"), replica);
        if (r.exitCode() == 0) {
            status = GitStore.UnifiedStatus.PUBLISHED;
            return true;
        }
        GitOperationError e = clone.error(r, replica);
        if (e.kind() == GitOperationError.Kind.REJECTED) {
            return false;
        }
        throw e;
    }

    /**
     * The commit of {@code main} for {@code snapshot} in layout 2 ({@link MainTree}), or null (status
     * UNCHANGED) if main holds it already. Every blob and tree id is computed here first; only the view
     * files {@code main} lacks and the manifest are written (one {@code hash-object}), both trees with one
     * {@code mktree --batch}.
     */
    private @Nullable Update build(ReplicaId replica, Snapshot snapshot, Map<String, String> known) {
        List<MemoryState> states = new ArrayList<>();
        snapshot.states().forEach(s -> states.add(s.state()));
        Map<String, byte[]> files = MainTree.viewFiles(MemoryState.joinAll(states).view());
        MessageDigest memorySha = sha256();
        Map<String, String> ids = new TreeMap<>();
        files.forEach((name, bytes) -> {
            memorySha.update(bytes);
            ids.put(name, StateTree.blobId(bytes));
        });
        byte[] manifest = manifest(snapshot, HexFormat.of().formatHex(memorySha.digest()), known);
        String manifestId = StateTree.blobId(manifest);
        byte[] memoryTree = MainTree.treeOfBlobs(ids);
        String memoryTreeId = MainTree.treeId(memoryTree);
        String rootId = MainTree.treeId(rootTree(manifestId, memoryTreeId));
        MainState main = mainState(replica);
        if (main != null && rootId.equals(main.tree())) {
            status = GitStore.UnifiedStatus.UNCHANGED;
            return null;
        }
        Map<String, String> present = main == null ? Map.of() : main.viewBlobs();
        List<byte[]> toWrite = new ArrayList<>();
        files.forEach((name, bytes) -> {
            if (!Objects.equals(ids.get(name), present.get(name))) {
                toWrite.add(bytes);
            }
        });
        toWrite.add(manifest);
        clone.writeBlobs(toWrite, replica);
        StringBuilder entries = new StringBuilder();
        ids.forEach((name, id) -> entries.append("100644 blob ").append(id).append('\t').append(name).append('\n'));
        entries.append('\n').append("100644 blob ").append(manifestId).append('\t').append(MainTree.MANIFEST)
                .append('\n').append("040000 tree ").append(memoryTreeId).append('\t').append(MainTree.MEMORY_DIR)
                .append('\n');
        String made = clone.command(replica, List.of("mktree", "--batch"))
                .input(entries.toString().getBytes(StandardCharsets.UTF_8)).run().out();
        if (!made.equals(memoryTreeId + "\n" + rootId + "\n")) {
            throw new GitOperationError(store, replica, GitOperationError.Kind.FAILED, List.of("mktree", "--batch"), 0,
                    "mktree made " + made.strip().replace('\n', ' ') + ", expected " + memoryTreeId + " "
                            + rootId, java.time.Duration.ZERO, clone.path(), null);
        }
        viewTree = rootId;
        viewTreeBlobs = Map.copyOf(ids);
        String commit = clone.commitTree(rootId, main == null ? null : main.commit(), "memory: " + snapshot.size()
                + " replicas", replica);
        return new Update(commit, main == null ? "" : main.commit());
    }

    /**
     * {@code main}'s tracking commit, its tree, and the view files of that tree (name to blob id; empty in
     * layout 1), with one {@code cat-file --batch} (none when {@code main} is the commit this store built
     * last); null if there is no {@code main}.
     */
    private @Nullable MainState mainState(ReplicaId replica) {
        String[] commit = new String[2];
        Map<String, String> blobs = new HashMap<>();
        clone.readEach(List.of(LocalClone.MAIN_TRACKING), "commit", MAX_MANIFEST_BYTES, replica,
                (i, id, content) -> {
                    if (content != null) {
                        commit[0] = id;
                        String text = new String(content, StandardCharsets.UTF_8);
                        commit[1] = text.startsWith("tree ") ? text.substring(5, text.indexOf('\n')) : "";
                    }
                });
        if (commit[0] == null) {
            return null;
        }
        if (commit[1].equals(viewTree)) {
            return new MainState(commit[0], commit[1], viewTreeBlobs);
        }
        List<LocalClone.TreeEntry> entries = clone.readTrees(List.of(commit[1] + ":" + MainTree.MEMORY_DIR), replica)
                .get(0);
        if (entries != null) {
            entries.stream().filter(LocalClone.TreeEntry::isFile).forEach(e -> blobs.put(e.name(), e.id()));
        }
        return new MainState(commit[0], commit[1], blobs);
    }

    /** {@code main} as fetched: its commit, its root tree and its view files (name to blob id). */
    private record MainState(String commit, String tree, Map<String, String> viewBlobs) {
    }

    /** The raw root tree of {@code main}: {@code manifest.json} and the {@code memory/} directory. */
    private static byte[] rootTree(String manifestId, String memoryTreeId) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(("100644 " + MainTree.MANIFEST).getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(HexFormat.of().parseHex(manifestId));
        out.writeBytes(("40000 " + MainTree.MEMORY_DIR).getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(HexFormat.of().parseHex(memoryTreeId));
        return out.toByteArray();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    /**
     * The manifest of {@code main} as last fetched, as text ({@code ""} if there is none or it is over
     * {@link #MAX_MANIFEST_BYTES}): one {@code cat-file --batch}.
     */
    private String fetchedManifest(ReplicaId replica) {
        String[] text = {""};
        clone.readEach(List.of(LocalClone.MAIN_TRACKING + ":" + MainTree.MANIFEST), "blob", MAX_MANIFEST_BYTES, replica,
                (i, id, content) -> text[0] = content == null ? "" : new String(content, StandardCharsets.UTF_8));
        return text[0];
    }

    /**
     * Whether {@code manifest} lists {@code commit}: a writer that won the race after this publication
     * landed read it, and every later {@code main} is built from a fetch after that one, so it stays
     * listed (or a later commit of the same replica is, which only its own host publishes).
     */
    private static boolean lists(String commit, String manifest) {
        return manifest.contains("\"" + commit + "\"");
    }

    private static byte[] manifest(Snapshot snapshot, String memorySha256, Map<String, String> known) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", "crdt-memory-manifest");
            g.writeNumberField("version", MainTree.LAYOUT);
            g.writeStringField("memory", MainTree.MEMORY_DIR + "/");
            g.writeStringField("memorySha256", memorySha256);
            g.writeArrayFieldStart("replicas");
            for (PublishedState s : snapshot.states()) {
                g.writeStartObject();
                g.writeStringField("replica", s.replica().value());
                g.writeStringField("commit", s.revision().token());
                String tree = known.get(s.revision().token());
                g.writeStringField("stateTree", tree != null ? tree : StateTree.treeId(s.replica(), s.state()));
                g.writeNumberField("atoms", s.state().size());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        out.write('\n');
        return out.toByteArray();
    }
}
