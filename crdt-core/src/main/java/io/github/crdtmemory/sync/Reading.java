/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.LwwMap;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.memory.AtomKey;
import io.github.crdtmemory.memory.MemoryFile;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.MemoryState;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The memory file and the checkpoint, read together, reconciled with a write-back the checkpoint did
 * not record: the first step of every run. Immutable.
 *
 * @param bytes the file, or empty when it does not exist
 * @param parsed the file parsed, or null when it does not exist
 * @param checkpoint the checkpoint, or the initial one on a first run
 * @param firstRun whether there was no checkpoint
 * @param base the graph the file last agreed with
 * @param current the graph the file holds; when it does not exist, the empty graph or the base (see
 *     {@link #of})
 * @param pendingView the graph of a write-back the checkpoint did not record as done while the file
 *     holds something else (a crash after the rename, then another writer), or null
 */
record Reading(Optional<byte[]> bytes, @Nullable MemoryFile parsed, Checkpoint checkpoint, boolean firstRun,
               MemoryGraph base, MemoryGraph current, @Nullable MemoryGraph pendingView) {

    /**
     * Reads the file and the checkpoint once. When the checkpoint's pending bytes are the file's, the
     * write-back landed and they are the base. When the file holds something else, the pending
     * write-back's temporary file tells whether its rename happened: gone, it landed and another writer
     * changed the file since (in place or by a rename of its own), so its view is the base; still there,
     * it never landed and the base stays. For a checkpoint that names no temporary file (written by an
     * older version) the pending view is kept for a three-way diff. A missing file is the empty memory when {@code missingIsEmpty} (sync,
     * backup: on a new machine nothing is deleted, where the last cycle saw entities the mass-deletion
     * check refuses it), else unchanged since the last cycle (restore, edit: they recreate it).
     *
     * @param content the memory file, parsed, or empty
     * @param dir the state directory
     * @param missingIsEmpty whether a missing file holds the empty graph rather than the base
     * @param stillPending whether the temporary file of that name is still there (not renamed)
     */
    static Reading of(Optional<MemoryFileAccess.Content> content, StateDirectory dir, boolean missingIsEmpty,
                      Predicate<String> stillPending) {
        Optional<byte[]> bytes = content.map(MemoryFileAccess.Content::bytes);
        MemoryFile parsed = content.map(MemoryFileAccess.Content::parsed).orElse(null);
        Optional<Checkpoint> loaded = dir.load();
        if (parsed != null && loaded.isPresent()) {
            loaded = Optional.of(dir.shareBase(parsed.graph())); // the base is usually the file: hold it once
        }
        Checkpoint cp = loaded.orElseGet(Checkpoint::initial);
        MemoryGraph base = cp.base();
        Checkpoint.Pending pending = cp.pending();
        MemoryGraph pendingView = null;
        if (pending != null && parsed != null && bytes.isPresent()) { // parsed is present with the bytes
            if (pending.matches(bytes.get())) {
                base = parsed.graph(); // the last write-back landed before the checkpoint recorded it
            } else if (pending.file() != null) {
                if (!stillPending.test(pending.file())) {
                    base = pending.view(); // it landed, then another writer changed the file
                }
            } else {
                pendingView = pending.view();
            }
        }
        MemoryGraph current = parsed != null ? parsed.graph() : missingIsEmpty ? MemoryGraph.empty() : base;
        return new Reading(bytes, parsed, cp, loaded.isEmpty(), base, current, pendingView);
    }

    /**
     * The file's edits, stamped by {@code clock}: what differs from the base; when a write-back may
     * have landed unrecorded ({@link #pendingView}), only what differs from both (three-way), so that
     * neither the base's nor the written view's content is taken for an edit of the file's.
     *
     * @param own the state the edits are diffed against
     * @param clock stamps the edits
     * @param scratch makes a clock from a start whose ticks are thrown away
     */
    MemoryState edits(MemoryState own, Clock clock, Function<Timestamp, Clock> scratch) {
        MemoryState fromBase = own.diff(base, current, clock);
        if (pendingView == null || fromBase.atoms().isEmpty()) {
            return fromBase;
        }
        MemoryState fromPending = own.diff(pendingView, current, scratch.apply(clock.current()));
        LwwMap.Builder<AtomKey> both = LwwMap.builder();
        fromBase.atoms().forEach((k, r) -> {
            if (fromPending.atoms().get(k).isPresent()) {
                both.put(k, r);
            }
        });
        return MemoryState.of(both.build());
    }

    /**
     * The refusal due for the file's edits (mass deletion not allowed): judged against the base and,
     * after an unrecorded write-back, against its view too (both must trip).
     *
     * @param path the memory file, for the message
     */
    Optional<MassDeletionException> refusal(String path) {
        if (current.equals(base)) {
            return Optional.empty();
        }
        Optional<MassDeletionException> refused = MassDeletionException.judge(path, base, current);
        if (refused.isPresent() && pendingView != null
                && MassDeletionException.judge(path, pendingView, current).isEmpty()) {
            return Optional.empty(); // the file lost little of what the unrecorded write-back wrote
        }
        return refused;
    }

    /**
     * This reading once its edits are stamped and saved: the base is the file as read, and the
     * checkpoint keeps only its clock and pending write-back, so that the base graph and the state
     * decoded from the checkpoint (each as large as the memory) are not held for the rest of the cycle.
     */
    Reading stamped() {
        Checkpoint slim = new Checkpoint(checkpoint.clock(), MemoryState.empty(), MemoryGraph.empty(),
                checkpoint.pending());
        return new Reading(bytes, parsed, slim, firstRun, current, current, null);
    }

    /** Whether the file ends with a newline (a missing file does not). */
    boolean trailingNewline() {
        return parsed != null && parsed.trailingNewline();
    }

    /** Whether the file is in a legacy layout, never rewritten. */
    boolean legacy() {
        return parsed != null && parsed.format() != MemoryFile.Format.JSONL;
    }
}
