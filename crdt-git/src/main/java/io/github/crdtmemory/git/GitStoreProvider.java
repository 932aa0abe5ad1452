package io.github.crdtmemory.git;

import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.StoreAccessException;
import io.github.crdtmemory.store.StoreOptions;
import io.github.crdtmemory.store.StoreProvider;
import io.github.crdtmemory.store.Redaction;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Opens {@link GitStore}s for {@code git+file:}, {@code git+ssh:} and {@code git+https:} URIs (the
 * {@code git+} prefix is dropped to get the remote) and for plain paths to bare repositories.
 * Registered for {@link java.util.ServiceLoader}. Stateless and thread-safe.
 */
public final class GitStoreProvider implements StoreProvider {
    /** Creates the provider; the registry does this. */
    public GitStoreProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("git+file", "git+ssh", "git+https");
    }

    @Override
    public ReplicaStore open(URI uri, StoreOptions options) {
        String text = uri.toString();
        if (!text.toLowerCase(Locale.ROOT).startsWith("git+")) {
            throw new StoreAccessException(Redaction.redact(text), null, "not a git store URI", null);
        }
        return open(text.substring("git+".length()), options);
    }

    @Override
    public boolean recognizes(Path path) {
        return Files.isDirectory(path) && Files.isRegularFile(path.resolve("HEAD"))
                && Files.isDirectory(path.resolve("objects")) && Files.isDirectory(path.resolve("refs"));
    }

    @Override
    public ReplicaStore openPath(Path path, StoreOptions options) {
        return open(path.toAbsolutePath().normalize().toString(), options);
    }

    private static ReplicaStore open(String remote, StoreOptions options) {
        GitStoreOptions git;
        try {
            git = GitStoreOptions.of(remote, options.cacheDir()).withTimeout(options.timeout())
                    .withNetworkTimeout(options.timeout()).withMaxStateBytes(options.maxStateBytes());
        } catch (IllegalArgumentException e) {
            throw new StoreAccessException(Redaction.redact(remote), null, e.getMessage(), e);
        }
        return GitStore.open(git);
    }
}
