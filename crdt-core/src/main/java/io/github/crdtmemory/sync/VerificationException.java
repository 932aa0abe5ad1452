/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.CrdtException;

/**
 * A merged state failed the checks a sync makes before publishing it: a key of an input missing from
 * the join, a register below an input's, a register no input held, counts out of bounds, or a
 * checksum that did not survive a write and read back. Nothing was published and the memory file was
 * not written. This means a bug or damaged memory or disk, never a normal race: report it.
 */
public final class VerificationException extends CrdtException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which check failed, naming the key or file
     */
    public VerificationException(String message) {
        super(message);
    }
}
