/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
/**
 * Not API: file mechanics shared by the local stores and the sync engine, and the one JSON form of
 * atom counts. May change without notice.
 *
 * <p>{@link io.github.crdtmemory.internal.ProcessFileLock} is the one lock per file per JVM (an OS
 * {@code fcntl} lock through a single {@code FileChannel}, plus an in-JVM lock), and
 * {@link io.github.crdtmemory.internal.PrivateFiles} writes files atomically (temp file, fsync, atomic
 * rename, fsync of the directory) with owner-only permissions.
 * {@link io.github.crdtmemory.internal.Publisher} is the one compare-and-swap retry loop (jittered
 * exponential backoff) of the sync engine and the live memory.
 */
package io.github.crdtmemory.internal;
