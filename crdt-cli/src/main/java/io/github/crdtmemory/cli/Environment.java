/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What the command reads from its process environment: variables and the home directory. {@code HOME}
 * wins over the JVM's {@code user.home} (which Java takes from the password database), so the command
 * resolves paths the way cron, shells and the MCP server do.
 */
record Environment(Map<String, String> variables, Path home) {
    static final String MEMORY_FILE_PATH = "MEMORY_FILE_PATH";
    static final String STORE = "MEMORY_BACKUP_STORE";
    static final String REPLICA = "MEMORY_BACKUP_REPLICA";
    /** The key file of an end-to-end encrypted store (a path; the keys never travel in the environment). */
    static final String KEY_FILE = "MEMORY_BACKUP_KEY_FILE";
    /** Read by the git store itself (a remote owned by another user it may use); carried into schedules. */
    static final String SAFE_DIRECTORY = "MEMORY_BACKUP_SAFE_DIRECTORY";

    static Environment current() {
        Map<String, String> env = System.getenv();
        String home = env.get("HOME");
        Path path = home != null && !home.isBlank() && Path.of(home).isAbsolute()
                ? Path.of(home) : Path.of(System.getProperty("user.home"));
        return new Environment(env, path.toAbsolutePath().normalize());
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(variables.get(name)).filter(v -> !v.isBlank());
    }

    Path defaultMemoryFile() {
        return home.resolve(".cache/mcp-memory/memory.json");
    }

    Path defaultStateDir() {
        return home.resolve(".local/state/memory-backup");
    }

    Path defaultStoreRepository() {
        return home.resolve(".local/share/memory-backup/memory.git");
    }

    Path cacheDir() {
        return home.resolve(".cache/memory-backup");
    }

    Path logDir() {
        return home.resolve(".cache/mcp-memory/logs");
    }
}
