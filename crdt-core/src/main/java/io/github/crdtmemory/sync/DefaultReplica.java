/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.store.LocalStateException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The replica id a machine uses when none is given: made once from the sanitized hostname plus six
 * random hex digits (so cloned containers differ), always a valid {@link ReplicaId} whatever the
 * hostname, and kept in {@code <state root>/replica-id} ({@code 0600}), written durably (forced to disk
 * before it appears, and the directory forced after). Safe when several processes ask at once: the
 * file appears by a hard link, which fails if the name exists, so the first process wins and every
 * process reads that one. Shared by {@code memory-backup} and the MCP server.
 */
public final class DefaultReplica {
    /** The file name under the state root. */
    public static final String FILE = "replica-id";

    private DefaultReplica() {
    }

    /**
     * Returns the persisted id, making it first if there is none.
     *
     * @param stateRoot the state root ({@code ~/.local/state/memory-backup} by default)
     * @param hostname the host's name, sanitized here; empty gives {@code host}
     * @return the id
     * @throws LocalStateException if the file cannot be read or written
     * @throws MemoryFormatException if the file holds no valid id (it is never replaced silently)
     */
    public static ReplicaId of(Path stateRoot, String hostname) {
        Path file = stateRoot.resolve(FILE);
        try {
            Optional<ReplicaId> saved = read(file);
            if (saved.isPresent()) {
                return saved.get();
            }
            PrivateFiles.createDirectories(stateRoot);
            byte[] random = new byte[3];
            new SecureRandom().nextBytes(random);
            // the first process to link its file wins; every process then reads that one
            PrivateFiles.createDurably(file, (derive(hostname, random).value() + "\n").getBytes(StandardCharsets.UTF_8));
            return read(file).orElseThrow(() -> new IOException(file + " vanished"));
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.REPLICA_ID, file, null,
                    "cannot read or make the replica id: " + e, e);
        }
    }

    /**
     * Returns the persisted id, if one was made; makes nothing.
     *
     * @param stateRoot the state root
     * @return the id, or empty before the first {@link #of}
     * @throws LocalStateException if the file cannot be read
     * @throws MemoryFormatException if the file holds no valid id
     */
    public static Optional<ReplicaId> find(Path stateRoot) {
        Path file = stateRoot.resolve(FILE);
        try {
            return read(file);
        } catch (IOException e) {
            throw new LocalStateException(LocalStateException.Part.REPLICA_ID, file, null,
                    "cannot read the replica id: " + e, e);
        }
    }

    private static Optional<ReplicaId> read(Path file) throws IOException {
        Optional<byte[]> bytes = PrivateFiles.readIfExists(file);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        String value = new String(bytes.get(), StandardCharsets.UTF_8).strip();
        if (!ReplicaId.isValid(value)) {
            throw new MemoryFormatException(file.toString(), 1, 1, "not a valid replica id: '" + value
                    + "'. No state was ever published under it: delete the file and a valid one is made on the next "
                    + "run, or set the replica id explicitly", null);
        }
        return Optional.of(ReplicaId.of(value));
    }

    /**
     * The id made from {@code hostname} and three random bytes: the hostname lower-cased, every
     * character outside {@code [a-z0-9._-]} replaced by {@code -}, each run of dots made one dot, leading
     * characters other than a letter or digit dropped, at most 48 characters ({@code host} if nothing
     * is left), then {@code -} and six hex digits. Valid for every hostname: it starts with a letter or
     * digit, holds no {@code ..}, ends in a hex digit and has at most 55 characters.
     */
    static ReplicaId derive(String hostname, byte[] random) {
        String clean = hostname.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("\\.{2,}", ".")
                .replaceAll("^[^a-z0-9]+", "");
        if (clean.length() > 48) {
            clean = clean.substring(0, 48);
        }
        return ReplicaId.of((clean.isEmpty() ? "host" : clean) + "-" + HexFormat.of().formatHex(random));
    }
}
