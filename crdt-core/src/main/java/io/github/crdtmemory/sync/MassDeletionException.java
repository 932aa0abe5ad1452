package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.CrdtException;

/**
 * A sync, backup or restore stopped because the memory file's edits since the last cycle would delete
 * most of the memory: at least {@link #MIN_DELETED} entities and relations, and more than half of
 * those the last cycle saw. That is what a file looks like when it was emptied by mistake or read
 * while a writer had truncated it and not yet written it again (MCP memory servers up to 2026.7.4
 * write that way), and a deletion, once stamped, propagates to every replica. Nothing was stamped,
 * published or written.
 *
 * <p>To keep the deletion, run the cycle once with {@link SyncSettings#withMassDeletionAllowed}. To
 * undo it, remove the memory file and {@link SyncEngine#restore() restore}: a missing file counts as
 * unchanged, and the merged memory is written back.
 */
public final class MassDeletionException extends CrdtException {
    /** The fewest deleted entities and relations that can trip the check. */
    public static final int MIN_DELETED = 5;

    private static final long serialVersionUID = 1L;

    private final String file;
    private final int deleted;
    private final int before;

    /**
     * Creates the exception.
     *
     * @param file the memory file
     * @param deleted how many entities and relations its edits delete
     * @param before how many the last cycle saw
     */
    public MassDeletionException(String file, int deleted, int before) {
        super(file + ": its edits since the last sync delete " + deleted + " of the " + before
                + " entities and relations the last sync saw (an emptied file, or one read while a writer had"
                + " truncated it?); nothing was written. To keep the deletion, run once with mass deletion"
                + " allowed; to undo it, remove the file and restore");
        this.file = file;
        this.deleted = deleted;
        this.before = before;
    }

    /**
     * Returns the memory file.
     *
     * @return its path as given
     */
    public String file() {
        return file;
    }

    /**
     * Returns how many entities and relations the edits delete.
     *
     * @return the count
     */
    public int deleted() {
        return deleted;
    }

    /**
     * Returns how many entities and relations the last cycle saw.
     *
     * @return the count
     */
    public int before() {
        return before;
    }
}
