/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.core;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception this library throws on purpose. It is unchecked: callers retry or
 * report at coarse boundaries, and the concrete subtypes carry the data needed to react.
 */
public abstract class CrdtException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a one-line message.
     *
     * @param message what went wrong
     */
    protected CrdtException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a one-line message and the cause that triggered it.
     *
     * @param message what went wrong
     * @param cause the underlying failure, kept for diagnosis, or null
     */
    protected CrdtException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
