/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * End-to-end encryption of replica states: what a store writes is sealed on this machine, so the
 * storage (a git remote, a shared directory) learns nothing of the memory but sizes, timing and
 * replica ids.
 *
 * <p>{@link io.github.crdtmemory.seal.Keyring} holds the keys (a current one that seals, older ones
 * that only open) and seals one chunk with AES-256-GCM under a fresh random 96-bit nonce, binding a
 * {@link io.github.crdtmemory.seal.ChunkContext} (replica, format version, position) as associated
 * data. {@link io.github.crdtmemory.seal.KeyFile} reads and writes key files ({@code 0600}).
 * {@link io.github.crdtmemory.seal.EncryptionException} is the typed failure of a missing or wrong key
 * or a store of the other mode; a chunk that fails authentication is a
 * {@link io.github.crdtmemory.seal.ChunkException}, which stores turn into a quarantine of its replica.
 * A store applies the keyring given in {@link io.github.crdtmemory.store.StoreOptions#keyring()}.
 */
@NullMarked
package io.github.crdtmemory.seal;

import org.jspecify.annotations.NullMarked;
