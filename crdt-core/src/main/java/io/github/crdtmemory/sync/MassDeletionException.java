package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.CrdtException;

/**
 * A sync, backup, restore or edit stopped because the memory file's edits since the last cycle or
 * edit (for an edit, another writer's) would delete most of the memory: at least {@link #MIN_DELETED}
 * and more than half of the entities the last cycle saw, or at least {@link #MIN_DELETED} and more
 * than half of its relations between entities the file still has (relations that went with a deleted
 * entity do not count: deleting one well-connected entity is an ordinary edit). That is what a file
 * looks like when it was emptied by mistake or read while a writer had truncated it and not yet
 * written it again (MCP memory servers up to 2026.7.4 write that way; relations come last in the file,
 * so a cut-short file loses them first), and a deletion, once stamped, propagates to every replica.
 * The file is read a few times, 20 ms apart, before this is thrown. Nothing was stamped, published or
 * written.
 *
 * <p>To keep the deletion, run the cycle once with {@link SyncSettings#withMassDeletionAllowed}. To
 * undo it, remove the memory file and {@link SyncEngine#restore() restore}: a missing file counts as
 * unchanged, and the merged memory is written back.
 */
public final class MassDeletionException extends CrdtException {
    /** The fewest deleted entities, or dropped relations, that can trip the check. */
    public static final int MIN_DELETED = 5;

    private static final long serialVersionUID = 1L;

    private final String file;
    private final int entitiesDeleted;
    private final int entitiesBefore;
    private final int relationsDropped;
    private final int relationsBefore;

    /**
     * Creates the exception.
     *
     * @param file the memory file
     * @param entitiesDeleted entities the edits delete
     * @param entitiesBefore entities the last cycle saw
     * @param relationsDropped relations the edits delete between entities the file still has
     * @param relationsBefore relations the last cycle saw
     */
    public MassDeletionException(String file, int entitiesDeleted, int entitiesBefore, int relationsDropped,
                                 int relationsBefore) {
        super(file + ": its edits since the last sync or edit delete " + entitiesDeleted + " of the "
                + entitiesBefore + " entities and drop " + relationsDropped + " of the " + relationsBefore
                + " relations (between entities it keeps) that the last one saw: an emptied file, or one read"
                + " while a writer had truncated it? Nothing was written. To keep the deletion, run once with"
                + " mass deletion allowed; to undo it, remove the file and restore");
        this.file = file;
        this.entitiesDeleted = entitiesDeleted;
        this.entitiesBefore = entitiesBefore;
        this.relationsDropped = relationsDropped;
        this.relationsBefore = relationsBefore;
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
     * Returns how many entities the edits delete.
     *
     * @return the count
     */
    public int entitiesDeleted() {
        return entitiesDeleted;
    }

    /**
     * Returns how many entities the last cycle saw.
     *
     * @return the count
     */
    public int entitiesBefore() {
        return entitiesBefore;
    }

    /**
     * Returns how many relations the edits delete between entities the file still has.
     *
     * @return the count
     */
    public int relationsDropped() {
        return relationsDropped;
    }

    /**
     * Returns how many relations the last cycle saw.
     *
     * @return the count
     */
    public int relationsBefore() {
        return relationsBefore;
    }
}
