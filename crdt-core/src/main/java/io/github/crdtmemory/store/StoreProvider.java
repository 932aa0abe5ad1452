/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens {@link ReplicaStore}s for some URI schemes. Implementations are found by
 * {@link StoreRegistry#discover()} through {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.github.crdtmemory.store.StoreProvider}) or registered explicitly with
 * {@link StoreRegistry#with(StoreProvider)}, which wins over discovery.
 *
 * <p>A provider needs a public no-argument constructor for discovery, is created once per registry,
 * and must be thread-safe. Only the registry calls it.
 */
public interface StoreProvider {

    /**
     * Returns the URI schemes this provider opens, in lower case, such as {@code file} or
     * {@code git+ssh}.
     *
     * @return the schemes
     */
    Set<String> schemes();

    /**
     * Opens the store at {@code uri}.
     *
     * @param uri a URI with one of {@link #schemes()}
     * @param options the cache directory and timeout
     * @return the open store; the caller closes it
     * @throws StoreException if the store cannot be opened or the URI is invalid
     */
    ReplicaStore open(URI uri, StoreOptions options);

    /**
     * Tells whether a plain path (no scheme) names a store this provider opens, such as a bare git
     * repository. The default recognizes nothing.
     *
     * @param path an existing path
     * @return true to have {@link #openPath} called for it
     */
    default boolean recognizes(Path path) {
        return false;
    }

    /**
     * Opens the store at a plain path this provider {@linkplain #recognizes(Path) recognizes}.
     *
     * @param path the path
     * @param options the cache directory and timeout
     * @return the open store
     * @throws StoreException if it cannot be opened
     * @throws UnsupportedOperationException if this provider recognizes no paths
     */
    default ReplicaStore openPath(Path path, StoreOptions options) {
        throw new UnsupportedOperationException(getClass().getName() + " opens no plain paths");
    }
}
