/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * A live, thread-safe memory for one replica, for embedding in MCP servers: the MCP memory tools
 * applied directly as stamped atoms, durable persistence, listeners and sync with any replica store.
 */
@NullMarked
package io.github.crdtmemory.live;

import org.jspecify.annotations.NullMarked;
