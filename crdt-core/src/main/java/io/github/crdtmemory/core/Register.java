/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import io.github.crdtmemory.internal.CodePointOrder;
import java.util.Objects;

/**
 * The value of one key in an {@link LwwMap}: a live value or a tombstone, with the {@link Stamp} of
 * the write that produced it. Immutable.
 *
 * <p>Registers are totally ordered, and that order decides every conflict:
 * <ol>
 *   <li>the stamp (wall, counter, replica);</li>
 *   <li>on an exact stamp tie (only possible when a replica id was reused), a tombstone beats a live
 *       value;</li>
 *   <li>then the value, compared by Unicode code points (which is the order of its UTF-8 bytes).</li>
 * </ol>
 * Every field takes part, so {@code compareTo} is consistent with {@code equals}, and the join (the
 * greater register) is commutative, associative and idempotent.
 *
 * <p>A tombstone may carry a value: an entity tombstone keeps the entity type it deleted, so the
 * entity can be shown again if a later, concurrent observation revives it.
 *
 * @param stamp the write's stamp
 * @param live true for a live value, false for a tombstone
 * @param value the value (empty when there is none); never null
 */
public record Register(Stamp stamp, boolean live, String value) implements Comparable<Register> {

    /**
     * Validates the components.
     *
     * @throws NullPointerException if {@code stamp} or {@code value} is null
     */
    public Register {
        Objects.requireNonNull(stamp, "stamp");
        Objects.requireNonNull(value, "value");
    }

    /**
     * Returns a live register.
     *
     * @param stamp the write's stamp
     * @param value the value
     * @return the register
     * @throws NullPointerException if an argument is null
     */
    public static Register live(Stamp stamp, String value) {
        return new Register(stamp, true, value);
    }

    /**
     * Returns a tombstone.
     *
     * @param stamp the deletion's stamp
     * @param value what was deleted, kept for display (may be empty)
     * @return the register
     * @throws NullPointerException if an argument is null
     */
    public static Register tombstone(Stamp stamp, String value) {
        return new Register(stamp, false, value);
    }

    /**
     * Tells whether this register is a tombstone.
     *
     * @return true for a deletion
     */
    public boolean isTombstone() {
        return !live;
    }

    /**
     * Returns the greater of two registers under the total order: the join of one key.
     *
     * @param a a register
     * @param b another register
     * @return {@code a} if {@code a >= b}, else {@code b}
     */
    public static Register max(Register a, Register b) {
        if (a == b) {
            return a;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Register other) {
        if (this == other) {
            return 0;
        }
        int c = stamp.compareTo(other.stamp);
        if (c != 0) {
            return c;
        }
        if (live != other.live) {
            return live ? -1 : 1;
        }
        return CodePointOrder.compare(value, other.value);
    }

    @Override
    public String toString() {
        return (live ? "live" : "tombstone") + "(" + stamp + (value.isEmpty() ? "" : ", " + value) + ")";
    }
}
