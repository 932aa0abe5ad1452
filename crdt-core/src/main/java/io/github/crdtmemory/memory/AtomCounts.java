/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.memory;

/**
 * How many registers of each kind a {@link MemoryState} holds, live and tombstoned. Immutable.
 *
 * @param entities live entity registers
 * @param observations live observation registers
 * @param relations live relation registers
 * @param tombstones tombstones of every kind
 */
public record AtomCounts(int entities, int observations, int relations, int tombstones) {
    /**
     * Returns the number of registers.
     *
     * @return the sum of all four counts
     */
    public int total() {
        return entities + observations + relations + tombstones;
    }
}
