package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.CrdtException;

/**
 * A sync, backup, restore or edit stopped because the memory file's edits since the last cycle or
 * edit (for an edit, another writer's) would delete most of the memory, or all of it. The rule, its
 * thresholds ({@link #MIN_DELETED}) and why it is what it is are stated once, in the repository's
 * {@code docs/architecture.md}, section "The mass-deletion check": in short, a file that leaves no
 * entity where the last cycle saw some, or whose edits delete at least {@link #MIN_DELETED} and more
 * than half of the atoms, of the entities, or of the relations between entities it keeps. The file is
 * read a few times, 20 ms apart, before this is thrown. Nothing was stamped, published or written.
 *
 * <p>To keep the deletion, run the cycle once with {@link SyncSettings#withMassDeletionAllowed}. To
 * undo it, remove the memory file and {@link SyncEngine#restore() restore}: for a restore a missing
 * file counts as unchanged, and the merged memory is written back.
 */
public final class MassDeletionException extends CrdtException {
    /** The fewest deleted atoms, entities or dropped relations that can trip the check (an emptied file always does). */
    public static final int MIN_DELETED = 5;

    private static final long serialVersionUID = 1L;

    private final String file;
    private final int entitiesDeleted;
    private final int entitiesBefore;
    private final int relationsDropped;
    private final int relationsBefore;
    private final int observationsDeleted;
    private final int observationsBefore;

    /**
     * Creates the exception, for edits that delete no observation of an entity they keep.
     *
     * @param file the memory file
     * @param entitiesDeleted entities the edits delete
     * @param entitiesBefore entities the last cycle saw
     * @param relationsDropped relations the edits delete between entities the file still has
     * @param relationsBefore relations the last cycle saw
     */
    public MassDeletionException(String file, int entitiesDeleted, int entitiesBefore, int relationsDropped,
                                 int relationsBefore) {
        this(file, entitiesDeleted, entitiesBefore, 0, 0, relationsDropped, relationsBefore);
    }

    /**
     * Creates the exception.
     *
     * @param file the memory file
     * @param entitiesDeleted entities the edits delete
     * @param entitiesBefore entities the last cycle saw
     * @param observationsDeleted observations the edits delete (with their entity or alone)
     * @param observationsBefore observations the last cycle saw
     * @param relationsDropped relations the edits delete between entities the file still has
     * @param relationsBefore relations the last cycle saw
     */
    public MassDeletionException(String file, int entitiesDeleted, int entitiesBefore, int observationsDeleted,
                                 int observationsBefore, int relationsDropped, int relationsBefore) {
        super(file + ": its edits since the last sync or edit delete " + entitiesDeleted + " of the "
                + entitiesBefore + " entities and " + observationsDeleted + " of the " + observationsBefore
                + " observations, and drop " + relationsDropped + " of the " + relationsBefore
                + " relations (between entities it keeps) that the last one saw: an emptied file, or one read"
                + " while a writer had truncated it? Nothing was written. To keep the deletion, run once with"
                + " mass deletion allowed; to undo it, remove the file and restore");
        this.file = file;
        this.entitiesDeleted = entitiesDeleted;
        this.entitiesBefore = entitiesBefore;
        this.observationsDeleted = observationsDeleted;
        this.observationsBefore = observationsBefore;
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

    /**
     * Returns how many observations the edits delete, those of deleted entities included.
     *
     * @return the count
     */
    public int observationsDeleted() {
        return observationsDeleted;
    }

    /**
     * Returns how many observations the last cycle saw.
     *
     * @return the count
     */
    public int observationsBefore() {
        return observationsBefore;
    }
}
