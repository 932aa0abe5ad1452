/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

/**
 * A seam at every step boundary of a cycle, for fault-injection tests: a hook may throw (a crash or a
 * failure at that point), or change the memory file (a writer that does not take the lock). Not API:
 * engines made by {@link SyncEngine#create} run {@link #NONE}.
 */
@FunctionalInterface
interface StepHook {
    /** The hook that does nothing. */
    StepHook NONE = step -> { };

    /**
     * Called when a cycle reaches {@code step}.
     *
     * @param step the boundary just reached
     */
    void at(Step step);

    /**
     * The step boundaries, in cycle order ({@link SyncEngine#edit} runs the ones marked "edit" too),
     * then the steps inside every save of the checkpoint.
     */
    enum Step {
        /** The memory file and the checkpoint are read; nothing stamped yet (sync, edit). */
        READ,
        /** The file's edits (and, for edit, the change) are stamped and the checkpoint saved (sync, edit). */
        STAMPED,
        /** The store was read, joined, verified and the merged state persisted; nothing published. */
        MERGED,
        /** The publication is done (or not requested); the write-back has not started. */
        PUBLISHED,
        /**
         * The new content is written and synced to a temporary file; the checkpoint does not record the
         * pending write-back yet and the file is not compared yet (sync, edit).
         */
        TEMP_WRITTEN,
        /**
         * The checkpoint records the pending write-back, with the temporary file's file key; the memory
         * file is untouched (sync, edit).
         */
        PENDING_SAVED,
        /** The file still holds what was read; the rename comes next (sync, edit). */
        COMPARED,
        /** The memory file was replaced; the checkpoint does not record it yet (sync, edit). */
        RENAMED,
        /** The cycle's last checkpoint is saved; the lock is released next (sync, edit). */
        DONE,
        /**
         * Inside any checkpoint save that appends: the record is written to the journal, neither truncated
         * after nor forced to disk.
         */
        JOURNAL_WRITTEN,
        /** Inside any checkpoint save that rewrites the snapshot: the new one is synced, not renamed. */
        SNAPSHOT_WRITTEN,
        /** Inside any snapshot rewrite: the new snapshot is in place, the journal is still the old one's. */
        SNAPSHOT_RENAMED
    }
}
