/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * JMH benchmarks and measurement harnesses of crdt-memory; never published. See
 * {@code docs/benchmarks.md}.
 */
@NullMarked
package io.github.crdtmemory.bench;

import org.jspecify.annotations.NullMarked;
