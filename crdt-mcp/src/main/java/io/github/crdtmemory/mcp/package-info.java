/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * A Java MCP memory server over stdio whose store is the CRDT: the nine tools of
 * {@code @modelcontextprotocol/server-memory} with the same names, schemas and results, writing the same
 * JSONL file, without losing a write. Not API: the server's command line and protocol are the interface;
 * the tools and resource it serves are API in {@link io.github.crdtmemory.mcp.api}.
 */
@NullMarked
package io.github.crdtmemory.mcp;

import org.jspecify.annotations.NullMarked;
