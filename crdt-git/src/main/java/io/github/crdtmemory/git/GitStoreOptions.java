/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.internal.Redaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link GitStore} reaches its remote. Immutable; the {@code with...} methods return copies.
 * Create one with {@link #of(String, Path)}. {@link #toString()} never shows credentials.
 *
 * <p>Compatibility: this is a final class rather than a record so that settings can be added without
 * breaking callers. Settings are only ever added (with a default and a {@code with...} method);
 * existing accessors keep their names and meaning.
 */
public final class GitStoreOptions {
    /** The default bound on each git command: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The default {@link #historyLimit()}. */
    public static final int DEFAULT_HISTORY_LIMIT = 1000;
    /** The default {@link #maxStateBytes()}: 64 MiB. */
    public static final long DEFAULT_MAX_STATE_BYTES = 64L << 20;

    private final String remote;
    private final Path cacheDir;
    private final Duration timeout;
    private final Duration networkTimeout;
    private final int historyLimit;
    private final boolean unifiedView;
    private final String sshCommand;
    private final String git;
    private final long maxStateBytes;

    private GitStoreOptions(Values v) {
        this.remote = Objects.requireNonNull(v.remote, "remote");
        this.cacheDir = Objects.requireNonNull(v.cacheDir, "cacheDir");
        this.timeout = Objects.requireNonNull(v.timeout, "timeout");
        this.networkTimeout = Objects.requireNonNull(v.networkTimeout, "networkTimeout");
        this.sshCommand = Objects.requireNonNull(v.sshCommand, "sshCommand");
        this.git = Objects.requireNonNull(v.git, "git");
        this.historyLimit = v.historyLimit;
        this.unifiedView = v.unifiedView;
        this.maxStateBytes = v.maxStateBytes;
        checkRemote(remote);
        if (timeout.isNegative() || timeout.isZero() || networkTimeout.isNegative() || networkTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (historyLimit < 2) {
            throw new IllegalArgumentException("historyLimit must be at least 2: " + historyLimit);
        }
        if (git.startsWith("-") || sshCommand.startsWith("-")) {
            throw new IllegalArgumentException("git and sshCommand must not start with '-'");
        }
        if (maxStateBytes < 1) {
            throw new IllegalArgumentException("maxStateBytes must be positive: " + maxStateBytes);
        }
    }

    /**
     * Returns options with the defaults.
     *
     * @param remote the remote repository
     * @param cacheDir the cache directory
     * @return the options
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the remote is not an allowed location
     */
    public static GitStoreOptions of(String remote, Path cacheDir) {
        Values v = new Values();
        v.remote = remote;
        v.cacheDir = cacheDir;
        return new GitStoreOptions(v);
    }

    /**
     * Returns the remote repository: {@code file:///srv/memory.git}, {@code ssh://host/memory.git},
     * {@code https://host/memory.git} or an absolute path to a bare repository. Credentials in an https
     * URL ({@code https://user:token@host/...}) are allowed; they never reach a command line, message or
     * log (git gets the URL without them, and the credential as an {@code Authorization} header through
     * its environment). An ssh URL may name a user but carry no password; a file URL carries neither.
     *
     * @return the remote, as given (it may hold a credential: never log it, use {@link #toString()})
     */
    public String remote() {
        return remote;
    }

    /**
     * Returns where the local clone lives ({@code <cacheDir>/git/<hash of remote>}, {@code 0700}).
     *
     * @return the cache directory
     */
    public Path cacheDir() {
        return cacheDir;
    }

    /**
     * Returns the bound on each local git command (default 30 s).
     *
     * @return the timeout, positive
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Returns the bound on each fetch and push (default 30 s).
     *
     * @return the timeout, positive
     */
    public Duration networkTimeout() {
        return networkTimeout;
    }

    /**
     * Returns how many commits a replica ref may have before its history is compacted (default 1,000);
     * the old tip is kept under {@code refs/archive/replicas/<id>/<sha>}.
     *
     * @return at least 2
     */
    public int historyLimit() {
        return historyLimit;
    }

    /**
     * Returns whether the merged {@code memory.jsonl} and a manifest are published on {@code main} after
     * each publication (default true; best-effort).
     *
     * @return whether the unified view is published
     */
    public boolean unifiedView() {
        return unifiedView;
    }

    /**
     * Returns the ssh command git runs ({@code GIT_SSH_COMMAND}; operator configuration, run by git
     * through a shell). Default: batch mode, 15 s connect timeout, keep-alives.
     *
     * @return the ssh command
     */
    public String sshCommand() {
        return sshCommand;
    }

    /**
     * Returns the git executable (default {@code git} on the PATH); git 2.31 or later.
     *
     * @return the path or name of git
     */
    public String git() {
        return git;
    }

    /**
     * Returns the largest replica state a read loads (default 64 MiB); a replica whose state is larger
     * is quarantined (skipped and reported), its blob never read, so one huge state cannot exhaust the
     * memory of every host.
     *
     * @return the limit in bytes, positive
     */
    public long maxStateBytes() {
        return maxStateBytes;
    }

    /**
     * Returns a copy with another bound on local commands.
     *
     * @param t the timeout
     * @return the options
     */
    public GitStoreOptions withTimeout(Duration t) {
        return with(v -> v.timeout = t);
    }

    /**
     * Returns a copy with another bound on fetches and pushes.
     *
     * @param t the timeout
     * @return the options
     */
    public GitStoreOptions withNetworkTimeout(Duration t) {
        return with(v -> v.networkTimeout = t);
    }

    /**
     * Returns a copy with another history bound.
     *
     * @param limit commits per replica ref before compaction
     * @return the options
     */
    public GitStoreOptions withHistoryLimit(int limit) {
        return with(v -> v.historyLimit = limit);
    }

    /**
     * Returns a copy that does or does not publish the unified view on {@code main}.
     *
     * @param publish whether to publish it
     * @return the options
     */
    public GitStoreOptions withUnifiedView(boolean publish) {
        return with(v -> v.unifiedView = publish);
    }

    /**
     * Returns a copy with another ssh command.
     *
     * @param command the value for {@code GIT_SSH_COMMAND}
     * @return the options
     */
    public GitStoreOptions withSshCommand(String command) {
        return with(v -> v.sshCommand = command);
    }

    /**
     * Returns a copy with another git executable.
     *
     * @param executable the path or name of git
     * @return the options
     */
    public GitStoreOptions withGit(String executable) {
        return with(v -> v.git = executable);
    }

    /**
     * Returns a copy with another state size limit.
     *
     * @param limit the largest state a read loads, in bytes
     * @return the options
     */
    public GitStoreOptions withMaxStateBytes(long limit) {
        return with(v -> v.maxStateBytes = limit);
    }

    /** Accepts file, ssh and https URLs and absolute paths; refuses options, ext:: and control characters. */
    private static void checkRemote(String remote) {
        String shown = Redaction.redact(remote);
        if (remote.isEmpty() || remote.startsWith("-")) {
            throw new IllegalArgumentException("invalid git remote '" + shown + "': empty or starts with '-'");
        }
        for (int i = 0; i < remote.length(); i++) {
            if (Character.isISOControl(remote.charAt(i))) {
                throw new IllegalArgumentException("invalid git remote '" + shown + "': control character");
            }
        }
        String lower = remote.toLowerCase(Locale.ROOT);
        boolean url = lower.startsWith("file://") || lower.startsWith("ssh://") || lower.startsWith("https://");
        if (!url && !remote.startsWith("/")) {
            throw new IllegalArgumentException("invalid git remote '" + shown
                    + "': use file://, ssh://, https:// or an absolute path to a bare repository");
        }
        int userInfoEnd = RemoteUrl.userInfoEnd(remote);
        if (userInfoEnd >= 0 && (lower.startsWith("file://")
                || (lower.startsWith("ssh://")
                        && remote.substring("ssh://".length(), userInfoEnd).indexOf(':') >= 0))) {
            throw new IllegalArgumentException("invalid git remote '" + shown + "': a password in an ssh or file URL "
                    + "would reach a command line (git passes the user and host to ssh as an argument); use an ssh "
                    + "key or agent");
        }
        if (lower.startsWith("ssh://")) {
            String hostPart = remote.substring("ssh://".length());
            int at = hostPart.indexOf('@');
            String host = at >= 0 ? hostPart.substring(at + 1) : hostPart;
            if (host.startsWith("-")) {
                throw new IllegalArgumentException("invalid git remote '" + shown + "': host starts with '-'");
            }
        }
    }

    private GitStoreOptions with(Consumer<Values> change) {
        Values v = new Values();
        v.remote = remote;
        v.cacheDir = cacheDir;
        v.timeout = timeout;
        v.networkTimeout = networkTimeout;
        v.historyLimit = historyLimit;
        v.unifiedView = unifiedView;
        v.sshCommand = sshCommand;
        v.git = git;
        v.maxStateBytes = maxStateBytes;
        change.accept(v);
        return new GitStoreOptions(v);
    }

    private List<Object> components() {
        return Arrays.asList(remote, cacheDir, timeout, networkTimeout, historyLimit, unifiedView, sshCommand, git,
                maxStateBytes);
    }

    /**
     * Options are equal when every setting is.
     *
     * @param o the other object
     * @return whether it holds the same settings
     */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof GitStoreOptions other && components().equals(other.components());
    }

    @Override
    public int hashCode() {
        return components().hashCode();
    }

    @Override
    public String toString() {
        return "GitStoreOptions[remote=" + Redaction.redact(remote) + ", cacheDir=" + cacheDir + ", timeout=" + timeout
                + ", networkTimeout=" + networkTimeout + ", historyLimit=" + historyLimit + ", unifiedView="
                + unifiedView + ", git=" + git + ", maxStateBytes=" + maxStateBytes + "]";
    }

    /** The settings while a copy is made; the constructor validates them. */
    private static final class Values {
        private @Nullable String remote;
        private @Nullable Path cacheDir;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration networkTimeout = DEFAULT_TIMEOUT;
        private int historyLimit = DEFAULT_HISTORY_LIMIT;
        private boolean unifiedView = true;
        private String sshCommand = GitEnvironment.DEFAULT_SSH_COMMAND;
        private String git = "git";
        private long maxStateBytes = DEFAULT_MAX_STATE_BYTES;
    }
}
