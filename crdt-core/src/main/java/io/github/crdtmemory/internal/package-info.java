/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * Not API: helpers shared by this project's modules and packages (crdt-git, crdt-cli and crdt-mcp use
 * them) that no application may depend on. May change without notice; the boundary is checked by
 * {@code ModuleBoundaryTest} (see {@code docs/embedding.md}). File mechanics shared by the local
 * stores and the sync engine, the one JSON form of atom counts, credential redaction
 * ({@link io.github.crdtmemory.internal.Redaction}), the code-point string order
 * ({@link io.github.crdtmemory.internal.CodePointOrder}) and the JSON string writer of the codecs
 * ({@link io.github.crdtmemory.internal.JsonOutput}).
 *
 * <p>{@link io.github.crdtmemory.internal.ProcessFileLock} is the one lock per file per JVM (an OS
 * {@code fcntl} lock through a single {@code FileChannel}, plus an in-JVM lock), and
 * {@link io.github.crdtmemory.internal.PrivateFiles} writes files atomically (temp file, fsync, atomic
 * rename, fsync of the directory) with owner-only permissions.
 * {@link io.github.crdtmemory.internal.Publisher} is the one compare-and-swap retry loop (jittered
 * exponential backoff) of the sync engine and the live memory.
 */
@NullMarked
package io.github.crdtmemory.internal;

import org.jspecify.annotations.NullMarked;
