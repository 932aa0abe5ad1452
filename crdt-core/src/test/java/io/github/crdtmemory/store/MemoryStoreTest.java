/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

/** {@link MemoryStore} keeps the store contract. */
final class MemoryStoreTest implements StoreContract {
    @Override
    public ReplicaStore newStore() {
        return MemoryStore.create("contract");
    }
}
