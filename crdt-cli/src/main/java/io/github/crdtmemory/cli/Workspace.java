/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.git.GitStore;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.StoreAccessException;
import io.github.crdtmemory.store.StoreOptions;
import io.github.crdtmemory.seal.KeyFile;
import io.github.crdtmemory.seal.Keyring;
import io.github.crdtmemory.store.StoreRegistry;
import io.github.crdtmemory.sync.DefaultReplica;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The shared options resolved against the environment: which memory file, store, replica and state
 * directory a command works on. The state dir holds {@code replica-id} (the persisted default replica)
 * and one sync state directory per replica and memory file, {@code files/<replica>-<hash of path>}.
 */
final class Workspace {
    private final Environment env;
    private final Path memoryFile;
    private final String memorySource;
    private final Optional<String> store;
    private final String storeSource;
    private final Path stateRoot;
    private final Duration timeout;
    private final SharedOptions options;

    private Workspace(SharedOptions options, Environment env) {
        this.options = options;
        this.env = env;
        if (options.memoryFile != null) {
            memoryFile = options.memoryFile.toAbsolutePath().normalize();
            memorySource = "--memory-file";
        } else if (env.get(Environment.MEMORY_FILE_PATH).isPresent()) {
            memoryFile = Path.of(env.get(Environment.MEMORY_FILE_PATH).get()).toAbsolutePath().normalize();
            memorySource = "$" + Environment.MEMORY_FILE_PATH;
        } else {
            memoryFile = env.defaultMemoryFile();
            memorySource = "the default";
        }
        if (options.store != null) {
            store = Optional.of(options.store);
            storeSource = "--store";
        } else {
            store = env.get(Environment.STORE);
            storeSource = store.isPresent() ? "$" + Environment.STORE : "the embedded default";
        }
        stateRoot = (options.stateDir != null ? options.stateDir : env.defaultStateDir()).toAbsolutePath().normalize();
        timeout = options.timeout;
    }

    static Workspace resolve(SharedOptions options, Environment env) {
        return new Workspace(options, env);
    }

    SharedOptions options() {
        return options;
    }

    Environment environment() {
        return env;
    }

    Path memoryFile() {
        return memoryFile;
    }

    Duration timeout() {
        return timeout;
    }

    Path stateRoot() {
        return stateRoot;
    }

    /** Fails with exit 3 naming the path tried and how to set another, when the memory file is missing. */
    void requireMemoryFile() {
        if (!Files.exists(memoryFile)) {
            throw CommandFailure.badInput("memory file " + memoryFile + " (from " + memorySource
                    + ") does not exist; pass --memory-file FILE or set " + Environment.MEMORY_FILE_PATH
                    + " to the file your MCP memory server uses, or run 'memory-backup restore' to create it");
        }
    }

    /** The store location as given, or the embedded default, created on first use. */
    String storeLocation() {
        if (store.isPresent()) {
            return store.get();
        }
        Path repo = env.defaultStoreRepository();
        GitStore.createRemote(repo, timeout);
        return repo.toString();
    }

    /** Where the store location came from, for messages. */
    String storeSource() {
        return storeSource;
    }

    /** The key file from --key-file, else $MEMORY_BACKUP_KEY_FILE, if any. */
    Optional<Path> keyFile() {
        if (options.keyFile != null) {
            return Optional.of(options.keyFile.toAbsolutePath().normalize());
        }
        return env.get(Environment.KEY_FILE).map(v -> Path.of(v).toAbsolutePath().normalize());
    }

    /** The keys of the key file, if one is given (read each time: never cached in this process). */
    Optional<Keyring> keyring() {
        return keyFile().map(KeyFile::read);
    }

    ReplicaStore openStore() {
        return openStore(keyring().orElse(null));
    }

    /** Opens the store encrypted with {@code keys}, or plaintext when null. */
    ReplicaStore openStore(@Nullable Keyring keys) {
        String location = storeLocation();
        try {
            PrivateFiles.createDirectories(env.cacheDir());
        } catch (IOException e) {
            throw new StoreAccessException(env.cacheDir().toString(), null, "cannot create the cache dir: " + e, e);
        }
        return StoreRegistry.discover().open(location, StoreOptions.of(env.cacheDir()).withTimeout(timeout)
                .withMaxStateBytes(options.maxStateSize).withKeyring(keys));
    }

    /** As {@link #replica()}, but empty where that would make the persisted default: for dry runs. */
    Optional<ReplicaId> knownReplica() {
        if (options.replica != null || env.get(Environment.REPLICA).isPresent()) {
            return Optional.of(replica());
        }
        return DefaultReplica.find(stateRoot);
    }

    /** The replica from --replica, else $MEMORY_BACKUP_REPLICA, else the persisted default (made once). */
    ReplicaId replica() {
        if (options.replica != null) {
            return SharedOptions.replicaId(options.replica, "--replica");
        }
        Optional<String> fromEnv = env.get(Environment.REPLICA);
        if (fromEnv.isPresent()) {
            return SharedOptions.replicaId(fromEnv.get(), "$" + Environment.REPLICA);
        }
        return DefaultReplica.of(stateRoot, hostname());
    }

    /** The sync state directory of this replica and memory file. */
    Path engineStateDir(ReplicaId replica) {
        return SyncSettings.stateDirOf(stateRoot, replica, memoryFile);
    }

    SyncEngine engine(ReplicaStore store) {
        return engine(store, false);
    }

    /** An engine that stamps a mass deletion read from the memory file when {@code massDeletionAllowed}. */
    SyncEngine engine(ReplicaStore store, boolean massDeletionAllowed) {
        ReplicaId replica = replica();
        return SyncEngine.create(SyncSettings.of(memoryFile, engineStateDir(replica), replica)
                .withLockTimeout(timeout).withMassDeletionAllowed(massDeletionAllowed), store);
    }

    /** $HOSTNAME, else /etc/hostname, else empty. */
    private String hostname() {
        return env.get("HOSTNAME").orElseGet(() -> {
            try {
                return Files.readString(Path.of("/etc/hostname"), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                return "";
            }
        });
    }
}
