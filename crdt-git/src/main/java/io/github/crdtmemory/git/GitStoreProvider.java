/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.StoreAccessException;
import io.github.crdtmemory.store.StoreOptions;
import io.github.crdtmemory.store.StoreProvider;
import io.github.crdtmemory.internal.Redaction;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Opens {@link GitStore}s for {@code git+file:}, {@code git+ssh:} and {@code git+https:} URIs (the
 * {@code git+} prefix is dropped to get the remote) and for plain paths to bare repositories.
 * Registered for {@link java.util.ServiceLoader}. Stateless and thread-safe.
 *
 * <p>A URI's fragment carries store options, never sent to git: {@code #max-state-bytes=<n>} sets
 * {@link GitStoreOptions#maxStateBytes()} (it wins over {@link StoreOptions#maxStateBytes()}). Any other
 * fragment is refused.
 */
public final class GitStoreProvider implements StoreProvider {
    private static final java.util.regex.Pattern MAX_STATE_BYTES =
            java.util.regex.Pattern.compile("max-state-bytes=([1-9][0-9]{0,17})");

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
        String fragment = uri.getRawFragment();
        if (fragment == null) {
            return open(text.substring("git+".length()), options);
        }
        String remote = text.substring("git+".length(), text.length() - fragment.length() - 1);
        java.util.regex.Matcher m = MAX_STATE_BYTES.matcher(fragment);
        if (!m.matches()) {
            throw new StoreAccessException(Redaction.redact(remote), null, "unknown store option '#"
                    + Redaction.redact(fragment) + "' (the only one is #max-state-bytes=<bytes>)", null);
        }
        return open(remote, options.withMaxStateBytes(Long.parseLong(m.group(1))));
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
            throw new StoreAccessException(Redaction.redact(remote), null, String.valueOf(e.getMessage()), e);
        }
        return GitStore.open(git, options.keyring());
    }
}
