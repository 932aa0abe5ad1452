/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.internal.Redaction;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens {@link ReplicaStore}s from locations such as {@code file:/srv/memory}, {@code mem:test} or
 * {@code git+ssh://host/repo.git}, by URI scheme. Immutable and thread-safe.
 *
 * <p>Providers come from two places. {@link #discover()} finds them with {@link ServiceLoader} on this
 * library's class loader; a provider that fails to load is logged and skipped, and two discovered
 * providers claiming one scheme make that scheme an error (never "first wins"). {@link #with} registers
 * one explicitly; an explicit provider wins over discovery for its schemes. An unknown scheme is a
 * {@link StoreAccessException} listing the known ones.
 */
public final class StoreRegistry {
    private static final Logger log = LoggerFactory.getLogger(StoreRegistry.class);
    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]+:.*", Pattern.DOTALL);

    private final Map<String, StoreProvider> explicit;
    private final Map<String, List<StoreProvider>> discovered;

    private StoreRegistry(Map<String, StoreProvider> explicit, Map<String, List<StoreProvider>> discovered) {
        this.explicit = explicit;
        this.discovered = discovered;
    }

    /**
     * Returns a registry of the providers found on the class path: at least {@code mem:} and
     * {@code file:} from this library ({@link LocalStoreProvider}), and {@code git+...} when
     * {@code crdt-git} is present.
     *
     * @return the registry
     */
    public static StoreRegistry discover() {
        Map<String, List<StoreProvider>> found = new LinkedHashMap<>();
        Iterator<StoreProvider> it = ServiceLoader.load(StoreProvider.class, StoreRegistry.class.getClassLoader())
                .iterator();
        while (true) {
            StoreProvider p;
            try {
                if (!it.hasNext()) {
                    break;
                }
                p = it.next();
            } catch (ServiceConfigurationError e) {
                log.warn("skipping a store provider that failed to load: {}", Redaction.redact(e.getMessage()));
                continue;
            }
            for (String scheme : p.schemes()) {
                found.computeIfAbsent(scheme.toLowerCase(Locale.ROOT), s -> new ArrayList<>()).add(p);
            }
        }
        return new StoreRegistry(Map.of(), Map.copyOf(found));
    }

    /**
     * Returns a registry of exactly these providers, with no discovery.
     *
     * @param providers the providers; a later one wins for a scheme an earlier one also claims
     * @return the registry
     */
    public static StoreRegistry of(StoreProvider... providers) {
        StoreRegistry r = new StoreRegistry(Map.of(), Map.of());
        for (StoreProvider p : providers) {
            r = r.with(p);
        }
        return r;
    }

    /**
     * Returns a registry where {@code provider} serves its schemes, over any discovered provider.
     *
     * @param provider the provider
     * @return the new registry
     */
    public StoreRegistry with(StoreProvider provider) {
        Objects.requireNonNull(provider, "provider");
        Map<String, StoreProvider> next = new LinkedHashMap<>(explicit);
        for (String scheme : provider.schemes()) {
            next.put(scheme.toLowerCase(Locale.ROOT), provider);
        }
        return new StoreRegistry(Map.copyOf(next), discovered);
    }

    /**
     * Returns every scheme some provider serves, sorted.
     *
     * @return the schemes
     */
    public Set<String> schemes() {
        TreeSet<String> all = new TreeSet<>(explicit.keySet());
        all.addAll(discovered.keySet());
        return all;
    }

    /**
     * Opens the store at {@code location}: a URI with a known scheme, or a plain path that a provider
     * {@linkplain StoreProvider#recognizes recognizes} (a bare git repository, for one).
     *
     * @param location the store's location
     * @param options the cache directory and timeout
     * @return the open store; the caller closes it
     * @throws StoreAccessException if the scheme is unknown or ambiguous, or no provider recognizes
     *     the path
     * @throws StoreException if the provider fails to open it
     */
    public ReplicaStore open(String location, StoreOptions options) {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(options, "options");
        if (location.startsWith("-")) {
            throw new StoreAccessException(Redaction.redact(location), null,
                    "a store location must not start with '-'", null);
        }
        if (SCHEME.matcher(location).matches()) {
            try {
                return open(new URI(location), options);
            } catch (URISyntaxException e) {
                throw new StoreAccessException(Redaction.redact(location), null,
                        "not a valid URI: " + Redaction.redact(e.getReason()), null);
            }
        }
        Path path;
        try {
            path = Path.of(location);
        } catch (InvalidPathException e) {
            throw new StoreAccessException(Redaction.redact(location), null, "not a valid path", null);
        }
        if (Files.exists(path)) {
            for (StoreProvider p : providers()) {
                if (p.recognizes(path)) {
                    return p.openPath(path, options);
                }
            }
        }
        throw new StoreAccessException(Redaction.redact(location), null,
                "no store provider recognizes this path; use a URI with one of the schemes "
                        + schemes() + " (file:" + path.toAbsolutePath() + " for a directory store)", null);
    }

    /**
     * Opens the store at {@code uri} with the provider of its scheme.
     *
     * @param uri the store's URI
     * @param options the cache directory and timeout
     * @return the open store; the caller closes it
     * @throws StoreAccessException if the scheme is missing, unknown or ambiguous
     * @throws StoreException if the provider fails to open it
     */
    public ReplicaStore open(URI uri, StoreOptions options) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        String shown = Redaction.redact(uri.toString());
        if (uri.getScheme() == null) {
            throw new StoreAccessException(shown, null, "a store URI needs a scheme, one of " + schemes(), null);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        StoreProvider p = explicit.get(scheme);
        if (p == null) {
            List<StoreProvider> candidates = discovered.getOrDefault(scheme, List.of());
            if (candidates.isEmpty()) {
                throw new StoreAccessException(shown, null,
                        "unknown store scheme '" + scheme + "'; known schemes: " + schemes(), null);
            }
            if (candidates.size() > 1) {
                List<String> names = new ArrayList<>();
                candidates.forEach(c -> names.add(c.getClass().getName()));
                throw new StoreAccessException(shown, null, "several discovered providers serve '" + scheme
                        + "': " + names + "; register one explicitly", null);
            }
            p = candidates.get(0);
        }
        return p.open(uri, options);
    }

    private List<StoreProvider> providers() {
        List<StoreProvider> all = new ArrayList<>(explicit.values());
        discovered.values().forEach(ps -> ps.forEach(p -> {
            if (!all.contains(p)) {
                all.add(p);
            }
        }));
        return all;
    }

    @Override
    public String toString() {
        return "StoreRegistry" + schemes();
    }
}
