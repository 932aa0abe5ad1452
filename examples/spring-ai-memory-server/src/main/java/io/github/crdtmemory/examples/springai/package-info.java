/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * An example, never published: a Spring AI MCP server exposing the memory through crdt-mcp's API.
 */
@NullMarked
package io.github.crdtmemory.examples.springai;

import org.jspecify.annotations.NullMarked;
