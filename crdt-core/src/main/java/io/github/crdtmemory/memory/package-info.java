/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * The MCP memory graph and its CRDT form.
 *
 * <p>{@link io.github.crdtmemory.memory.MemoryGraph}, {@link io.github.crdtmemory.memory.Entity} and
 * {@link io.github.crdtmemory.memory.Relation} model the graph exactly as
 * {@code @modelcontextprotocol/server-memory} does: an entity is identified by its name, a relation by
 * its {@code (from, relationType, to)} triple, an observation by its exact text within its entity.
 *
 * <p>{@link io.github.crdtmemory.memory.MemoryState} flattens a graph into one LWW map of atoms
 * (entity, observation, relation), each a register; {@code view()} derives the graph a user sees and
 * {@code diff} turns a change between two graphs into stamped registers.
 * {@link io.github.crdtmemory.memory.MemoryFileCodec} reads and writes the server's file byte for byte,
 * and {@link io.github.crdtmemory.memory.StateCodec} gives a state one canonical byte form.
 *
 * <p>Nothing here does I/O or reads the system clock: codecs work on byte arrays, and stamps come from
 * the {@link io.github.crdtmemory.core.Clock} a caller passes in.
 */
@NullMarked
package io.github.crdtmemory.memory;

import org.jspecify.annotations.NullMarked;
