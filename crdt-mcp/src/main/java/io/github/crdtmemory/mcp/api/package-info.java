/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The memory for any Java MCP server: the nine tools and the {@code memory://knowledge-graph} resource of
 * {@code @modelcontextprotocol/server-memory}, as the official MCP Java SDK's server features
 * ({@link io.github.crdtmemory.mcp.api.MemoryMcp}), over the shared memory file or a memory this process
 * owns ({@link io.github.crdtmemory.mcp.api.MemoryBackend}). Transport-agnostic: stdio, Streamable HTTP
 * or stateless HTTP, in a plain SDK server or a Spring AI one. This package is API.
 */
@NullMarked
package io.github.crdtmemory.mcp.api;

import org.jspecify.annotations.NullMarked;
