/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.CrdtException;
import io.github.crdtmemory.memory.Entity;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.memory.Relation;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

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

    /**
     * The refusal due when {@code current} deletes most of {@code base}, or empties it: the rule of
     * {@code docs/architecture.md}, "The mass-deletion check".
     *
     * @param file the memory file, for the message
     * @param base the graph the last cycle saw
     * @param current the graph the file holds now
     * @return the exception to throw, or empty when the edits are ordinary
     */
    static Optional<MassDeletionException> judge(String file, MemoryGraph base, MemoryGraph current) {
        Set<String> names = new HashSet<>();
        current.entities().forEach(e -> names.add(e.name()));
        Set<Relation> relations = new HashSet<>(current.relations());
        int entitiesDeleted = 0;
        int observationsBefore = 0;
        int observationsDeleted = 0;
        for (Entity e : base.entities()) {
            observationsBefore += e.observations().size();
            Optional<Entity> now = current.entity(e.name());
            entitiesDeleted += now.isEmpty() ? 1 : 0;
            Set<String> kept = now.map(n -> Set.copyOf(n.observations())).orElse(Set.of());
            for (String o : e.observations()) {
                observationsDeleted += kept.contains(o) ? 0 : 1;
            }
        }
        int relationsDropped = 0;
        for (Relation r : base.relations()) {
            boolean dropped = !relations.contains(r) && names.contains(r.from()) && names.contains(r.to());
            relationsDropped += dropped ? 1 : 0;
        }
        int entitiesBefore = base.entities().size();
        int relationsBefore = base.relations().size();
        boolean emptied = entitiesBefore > 0 && names.isEmpty();
        boolean trips = emptied
                || most(entitiesDeleted + observationsDeleted + relationsDropped,
                        entitiesBefore + observationsBefore + relationsBefore)
                || most(entitiesDeleted, entitiesBefore) || most(relationsDropped, relationsBefore);
        return trips ? Optional.of(new MassDeletionException(file, entitiesDeleted, entitiesBefore,
                observationsDeleted, observationsBefore, relationsDropped, relationsBefore)) : Optional.empty();
    }

    /** At least {@link #MIN_DELETED} and more than half. */
    private static boolean most(int deleted, int before) {
        return deleted >= MIN_DELETED && 2L * deleted > before;
    }
}
