/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

import io.github.crdtmemory.internal.CodePointOrder;

/**
 * The key of one atom of a {@link MemoryState}: an entity, one observation of an entity, or one
 * relation. Keys are exact, case-sensitive strings, as the MCP server uses them.
 *
 * <p>Keys are totally ordered, by code points: first by the entity they belong to (the relation's
 * {@code from}), then entity before its observations before its outgoing relations, then the rest.
 * So an entity's atoms are adjacent in a state, and its file form is sorted by this order.
 */
public sealed interface AtomKey extends Comparable<AtomKey>
        permits AtomKey.EntityKey, AtomKey.ObservationKey, AtomKey.RelationKey {

    /**
     * Returns the name of the entity this atom belongs to (a relation's {@code from}).
     *
     * @return the entity name
     */
    String entity();

    /**
     * Returns the rank of this kind of atom: entity 0, observation 1, relation 2.
     *
     * @return the rank
     */
    int rank();

    @Override
    default int compareTo(AtomKey other) {
        if (this == other) {
            return 0;
        }
        String a = entity();
        String b = other.entity();
        int c = compareText(a, b);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(rank(), other.rank());
        if (c != 0) {
            return c;
        }
        if (this instanceof ObservationKey x) {
            return compareText(x.text(), ((ObservationKey) other).text());
        }
        if (this instanceof RelationKey x) {
            RelationKey y = (RelationKey) other;
            c = compareText(x.relationType(), y.relationType());
            return c != 0 ? c : compareText(x.to(), y.to());
        }
        return 0;
    }

    /**
     * Compares by code points, trying the intrinsic {@code equals} first: joins compare mostly equal
     * keys, and the code-point loop is the slow path.
     *
     * @param a a string
     * @param b another string
     * @return the code-point comparison
     */
    private static int compareText(String a, String b) {
        return a.equals(b) ? 0 : CodePointOrder.compare(a, b);
    }

    /**
     * The key of an entity; its register's value is the entity type.
     *
     * @param name the entity's name
     */
    record EntityKey(String name) implements AtomKey {
        /** @throws NullPointerException if {@code name} is null */
        public EntityKey {
            java.util.Objects.requireNonNull(name, "name");
        }

        @Override
        public String entity() {
            return name;
        }

        @Override
        public int rank() {
            return 0;
        }
    }

    /**
     * The key of one observation of an entity; its register's value is empty.
     *
     * @param entity the entity's name
     * @param text the observation's exact text
     */
    record ObservationKey(String entity, String text) implements AtomKey {
        /** @throws NullPointerException if a component is null */
        public ObservationKey {
            java.util.Objects.requireNonNull(entity, "entity");
            java.util.Objects.requireNonNull(text, "text");
        }

        @Override
        public int rank() {
            return 1;
        }
    }

    /**
     * The key of one relation; its register's value is empty.
     *
     * @param from the source entity's name
     * @param relationType the relation type
     * @param to the target entity's name
     */
    record RelationKey(String from, String relationType, String to) implements AtomKey {
        /** @throws NullPointerException if a component is null */
        public RelationKey {
            java.util.Objects.requireNonNull(from, "from");
            java.util.Objects.requireNonNull(relationType, "relationType");
            java.util.Objects.requireNonNull(to, "to");
        }

        /**
         * Returns the key of {@code relation}.
         *
         * @param relation the relation
         * @return its key
         */
        public static RelationKey of(Relation relation) {
            return new RelationKey(relation.from(), relation.relationType(), relation.to());
        }

        /**
         * Returns the relation this key identifies.
         *
         * @return the relation
         */
        public Relation relation() {
            return new Relation(from, relationType, to);
        }

        @Override
        public String entity() {
            return from;
        }

        @Override
        public int rank() {
            return 2;
        }
    }
}
