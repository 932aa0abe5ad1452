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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The human-readable side of a git store: {@code main} holds {@code memory.jsonl}, the merged view of
 * every replica as the MCP server would write it, and {@code manifest.json}, listing each replica's
 * commit and state checksum. Derived data, published best effort with compare-and-swap and jittered
 * retry; the replica refs stay the source of truth. Called under the store's lock.
 */
final class UnifiedView {
    private static final Logger log = LoggerFactory.getLogger(UnifiedView.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final LocalClone clone;
    private final String store;
    private volatile Snapshot last;
    // SHA-256 of the states' canonical encodings by commit, as read or published: not encoded again
    private volatile Map<String, String> shas = Map.of();
    private volatile GitStore.UnifiedStatus status = GitStore.UnifiedStatus.NOT_ATTEMPTED;

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
    Update prepare(ReplicaId replica, PublishedState published, String publishedSha) {
        Snapshot remembered = last;
        if (remembered == null) {
            return null;
        }
        List<PublishedState> states = new ArrayList<>();
        remembered.states().stream().filter(s -> !s.replica().equals(replica)).forEach(states::add);
        states.add(published);
        Map<String, String> known = new HashMap<>(shas);
        known.put(published.revision().token(), publishedSha);
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
     * Publishes the view with {@code published} on its own push. The first attempt, if
     * {@code fromLastRead}, builds on the last read (as {@link #prepare}); any other re-reads, stops if
     * the fetched {@code main} already lists the publication, and tries again, up to {@code attempts}
     * in all.
     */
    void publish(ReplicaId replica, PublishedState published, String publishedSha, Supplier<Snapshot> reread,
                 int attempts, boolean fromLastRead) {
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                Update update;
                if (attempt == 1 && fromLastRead && last != null) {
                    update = prepare(replica, published, publishedSha);
                } else {
                    Snapshot snapshot = reread.get();
                    if (lists(replica, published.revision().token())) {
                        status = GitStore.UnifiedStatus.INCLUDED;
                        return;
                    }
                    Map<String, String> known = new HashMap<>(shas);
                    known.put(published.revision().token(), publishedSha);
                    update = build(replica, snapshot, known);
                }
                if (update == null || push(update, replica)) {
                    return;
                }
            } catch (GitOperationError e) {
                if (e.kind() == GitOperationError.Kind.CORRUPT) {
                    throw e;
                }
                status = GitStore.UnifiedStatus.FAILED;
                log.warn("{}: the unified view on main was not updated: {}", store, e.getMessage());
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(20, 100L << attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        status = GitStore.UnifiedStatus.LOST_RACE;
        log.warn("{}: other writers kept moving main; the unified view catches up at a later publication", store);
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

    /** The commit of {@code main} for {@code snapshot}, or null (status UNCHANGED) if main holds it already. */
    private Update build(ReplicaId replica, Snapshot snapshot, Map<String, String> known) {
        List<MemoryState> states = new ArrayList<>();
        snapshot.states().forEach(s -> states.add(s.state()));
        MemoryState merged = MemoryState.joinAll(states);
        byte[] memory = MemoryFileCodec.write(merged.view(), true);
        byte[] manifest = manifest(snapshot, memory, known);
        List<String> blobs = clone.writeBlobs(List.of(memory, manifest), replica);
        String tree = clone.mktree("100644 blob " + blobs.get(1) + "\tmanifest.json\n100644 blob " + blobs.get(0)
                + "\tmemory.jsonl\n", replica);
        String[] main = mainAndTree(replica);
        if (main != null && tree.equals(main[1])) {
            status = GitStore.UnifiedStatus.UNCHANGED;
            return null;
        }
        String commit = clone.commitTree(tree, main == null ? null : main[0], "memory.jsonl: " + snapshot.size()
                + " replicas", replica);
        return new Update(commit, main == null ? "" : main[0]);
    }

    /** {@code main}'s tracking commit and its tree (one {@code for-each-ref}), or null if there is none. */
    private String[] mainAndTree(ReplicaId replica) {
        String out = clone.command(replica, List.of("for-each-ref",
                "--format=%(objectname) %(tree)", LocalClone.MAIN_TRACKING)).run().out().strip();
        String[] parts = out.split(" ");
        return parts.length == 2 ? parts : null;
    }

    /**
     * Whether {@code main} as last fetched lists {@code commit} (or the replica has moved past it, which
     * only its own host does): a writer that won the race after this publication landed read it, and
     * every later {@code main} is built from a fetch after that one, so it stays listed.
     */
    private boolean lists(ReplicaId replica, String commit) {
        String main = clone.refs(LocalClone.MAIN_TRACKING, replica).get(LocalClone.MAIN_TRACKING);
        if (main == null) {
            return false;
        }
        byte[] manifest = clone.readBlobs(List.of(main + ":manifest.json"), replica).get(0);
        return manifest != null && new String(manifest, java.nio.charset.StandardCharsets.UTF_8)
                .contains("\"" + commit + "\"");
    }

    private static byte[] manifest(Snapshot snapshot, byte[] memory, Map<String, String> known) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", "crdt-memory-manifest");
            g.writeNumberField("version", 1);
            g.writeStringField("memorySha256", PrivateFiles.sha256(memory));
            g.writeArrayFieldStart("replicas");
            for (PublishedState s : snapshot.states()) {
                g.writeStartObject();
                g.writeStringField("replica", s.replica().value());
                g.writeStringField("commit", s.revision().token());
                String sha = known.get(s.revision().token());
                g.writeStringField("stateSha256", sha != null ? sha : PrivateFiles.sha256(StateCodec.encode(s.state())));
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
