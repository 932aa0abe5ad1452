/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.internal.Redaction;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens the stores of this library: {@code mem:<name>} ({@link MemoryStore}) and
 * {@code file:<directory>} ({@link DirectoryStore}, absolute as {@code file:/srv/memory} or relative as
 * {@code file:backups}). Registered for {@link java.util.ServiceLoader}.
 *
 * <p>{@code mem:} stores with the same name opened through one provider instance (one
 * {@link StoreRegistry}) share their states; {@code mem:} with no name is a fresh store each time.
 * Thread-safe.
 */
public final class LocalStoreProvider implements StoreProvider {
    private final Map<String, MemoryStore> named = new ConcurrentHashMap<>();

    /** Creates the provider; {@link StoreRegistry#discover()} does this once per registry. */
    public LocalStoreProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("mem", "file");
    }

    @Override
    public ReplicaStore open(URI uri, StoreOptions options) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        String shown = Redaction.redact(uri.toString());
        if (scheme.equals("mem")) {
            String name = uri.getSchemeSpecificPart();
            if (name == null || name.isEmpty()) {
                return MemoryStore.create("anonymous");
            }
            return named.computeIfAbsent(name, MemoryStore::create);
        }
        if (scheme.equals("file")) {
            if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()
                    && !uri.getRawAuthority().equals("localhost")) {
                throw new StoreAccessException(shown, null, "a file: store must be local (no host)", null);
            }
            if (uri.getQuery() != null || uri.getFragment() != null) {
                throw new StoreAccessException(shown, null, "a file: store takes no query or fragment", null);
            }
            String path = uri.isOpaque() ? uri.getSchemeSpecificPart() : uri.getPath();
            if (path == null || path.isEmpty()) {
                throw new StoreAccessException(shown, null, "a file: store needs a directory", null);
            }
            return DirectoryStore.open(Path.of(path), options.timeout(), options.maxStateBytes(), options.keyring());
        }
        throw new StoreAccessException(shown, null, "not a local store scheme: " + scheme, null);
    }
}
