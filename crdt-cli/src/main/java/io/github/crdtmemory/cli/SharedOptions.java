/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.core.ReplicaId;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every working command shares; resolved against the environment by {@link Workspace}. */
final class SharedOptions {
    @Option(names = "--memory-file", paramLabel = "FILE",
            description = "The MCP memory file (JSONL). Default: $MEMORY_FILE_PATH, else ~/.cache/mcp-memory/memory.json.")
    Path memoryFile;

    @Option(names = "--store", paramLabel = "URI",
            description = "Where replicas meet: git+file:, git+ssh:, git+https:, file:, mem: or a bare repository path."
                    + " Default: $MEMORY_BACKUP_STORE, else a local bare repository under ~/.local/share/memory-backup/.")
    String store;

    @Option(names = "--replica", paramLabel = "ID",
            description = "This machine's replica id ([a-z0-9][a-z0-9._-]{0,62}). Default: $MEMORY_BACKUP_REPLICA,"
                    + " else the id persisted in the state dir (hostname plus a random suffix, made on first use).")
    String replica;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Sync state (checkpoints, locks, the replica id). Default: ~/.local/state/memory-backup.")
    Path stateDir;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30s",
            description = "Bound on every lock wait and every git command: 30s, 2m, 500ms. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--max-state-size", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "64MiB",
            description = "Largest replica state read from the store: 1048576, 512KiB, 64MiB, 1GiB. A larger one is"
                    + " quarantined (skipped and reported, exit code 8), never loaded. Default: ${DEFAULT-VALUE}.")
    long maxStateSize;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "Encrypt the store end to end with the keys in FILE (made by 'memory-backup keygen'; 0600)."
                    + " Default: $MEMORY_BACKUP_KEY_FILE, else no encryption. An encrypted store refuses to work"
                    + " without it (exit 9).")
    Path keyFile;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout, and nothing else there.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on success; errors still go to stderr.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Log what happens (to stderr, or to --log-file).")
    boolean verbose;

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "Append output and logs to FILE (0600, rotated at 1 MiB, 5 kept) instead of the terminal.")
    Path logFile;

    /** The replica id given by option or environment, validated, if any. */
    static ReplicaId replicaId(String value, String source) {
        try {
            return ReplicaId.of(value);
        } catch (IllegalArgumentException e) {
            throw CommandFailure.usage("invalid replica id from " + source + ": " + e.getMessage());
        }
    }
}
