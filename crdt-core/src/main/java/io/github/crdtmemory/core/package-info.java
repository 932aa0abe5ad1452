/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The pure last-write-wins CRDT: replica identities, hybrid logical clock stamps, registers and the
 * immutable {@link io.github.crdtmemory.core.LwwMap} with its join.
 *
 * <p>Nothing in this package does I/O, logs, or reads the system clock: physical time reaches a
 * {@link io.github.crdtmemory.core.Clock} only through the {@code LongSupplier} its factory is given.
 * Every conflict between two writes to one key is decided by one total order on
 * {@link io.github.crdtmemory.core.Register}: stamp (wall, counter, replica), then tombstone versus
 * live, then the value's code points. Because every stored field takes part in that order, the join
 * is commutative, associative and idempotent for all states, including equal-stamp corruption cases.
 */
@NullMarked
package io.github.crdtmemory.core;

import org.jspecify.annotations.NullMarked;
