/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.store.Redaction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How a {@link GitStore} reaches its remote. Immutable; the {@code with...} methods return copies.
 * {@link #toString()} never shows credentials.
 *
 * @param remote the remote repository: {@code file:///srv/memory.git}, {@code ssh://host/memory.git},
 *     {@code https://host/memory.git} or an absolute path to a bare repository. Credentials in an https
 *     URL ({@code https://user:token@host/...}) are allowed; they never reach a command line, message or
 *     log (git gets the URL without them, and the credential as an {@code Authorization} header through
 *     its environment). An ssh URL may name a user but carry no password; a file URL carries neither
 * @param cacheDir where the local clone lives ({@code <cacheDir>/git/<hash of remote>}, {@code 0700})
 * @param timeout the bound on each local git command (default 30 s)
 * @param networkTimeout the bound on each fetch and push (default 30 s)
 * @param historyLimit commits on a replica ref past which its history is compacted (default 1,000);
 *     the old tip is kept under {@code refs/archive/replicas/<id>/<sha>}
 * @param unifiedView whether to publish the merged {@code memory.jsonl} and a manifest on {@code main}
 *     after each publication (default true; best-effort)
 * @param sshCommand the ssh command git runs ({@code GIT_SSH_COMMAND}; operator configuration, run by
 *     git through a shell). Default: batch mode, 15 s connect timeout, keep-alives
 * @param git the git executable (default {@code git} on the PATH); git 2.31 or later
 * @param maxStateBytes the largest replica state a read loads (default 64 MiB); a replica whose state is
 *     larger is quarantined (skipped and reported), its blob never read, so one huge state cannot exhaust
 *     the memory of every host
 */
public record GitStoreOptions(String remote, Path cacheDir, Duration timeout, Duration networkTimeout,
                              int historyLimit, boolean unifiedView, String sshCommand, String git,
                              long maxStateBytes) {
    /** The default bound on each git command: 30 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The default {@link #historyLimit()}. */
    public static final int DEFAULT_HISTORY_LIMIT = 1000;
    /** The default {@link #maxStateBytes()}: 64 MiB. */
    public static final long DEFAULT_MAX_STATE_BYTES = 64L << 20;

    /**
     * Validates the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if the remote is not an allowed location, a timeout is not
     *     positive, {@code historyLimit < 2} or {@code maxStateBytes < 1}
     */
    public GitStoreOptions {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(networkTimeout, "networkTimeout");
        Objects.requireNonNull(sshCommand, "sshCommand");
        Objects.requireNonNull(git, "git");
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
     * Creates options with the default {@link #maxStateBytes()} (the form before it existed).
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException as the canonical constructor
     */
    public GitStoreOptions(String remote, Path cacheDir, Duration timeout, Duration networkTimeout,
                           int historyLimit, boolean unifiedView, String sshCommand, String git) {
        this(remote, cacheDir, timeout, networkTimeout, historyLimit, unifiedView, sshCommand, git,
                DEFAULT_MAX_STATE_BYTES);
    }

    /**
     * Returns options with the defaults.
     *
     * @param remote the remote repository
     * @param cacheDir the cache directory
     * @return the options
     * @throws IllegalArgumentException if the remote is not an allowed location
     */
    public static GitStoreOptions of(String remote, Path cacheDir) {
        return new GitStoreOptions(remote, cacheDir, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_HISTORY_LIMIT, true,
                GitEnvironment.DEFAULT_SSH_COMMAND, "git");
    }

    /**
     * Returns a copy with another bound on local commands.
     *
     * @param t the timeout
     * @return the options
     */
    public GitStoreOptions withTimeout(Duration t) {
        return new GitStoreOptions(remote, cacheDir, t, networkTimeout, historyLimit, unifiedView, sshCommand, git,
                maxStateBytes);
    }

    /**
     * Returns a copy with another bound on fetches and pushes.
     *
     * @param t the timeout
     * @return the options
     */
    public GitStoreOptions withNetworkTimeout(Duration t) {
        return new GitStoreOptions(remote, cacheDir, timeout, t, historyLimit, unifiedView, sshCommand, git,
                maxStateBytes);
    }

    /**
     * Returns a copy with another history bound.
     *
     * @param limit commits per replica ref before compaction
     * @return the options
     */
    public GitStoreOptions withHistoryLimit(int limit) {
        return new GitStoreOptions(remote, cacheDir, timeout, networkTimeout, limit, unifiedView, sshCommand, git,
                maxStateBytes);
    }

    /**
     * Returns a copy that does or does not publish the unified view on {@code main}.
     *
     * @param publish whether to publish it
     * @return the options
     */
    public GitStoreOptions withUnifiedView(boolean publish) {
        return new GitStoreOptions(remote, cacheDir, timeout, networkTimeout, historyLimit, publish, sshCommand, git,
                maxStateBytes);
    }

    /**
     * Returns a copy with another ssh command.
     *
     * @param command the value for {@code GIT_SSH_COMMAND}
     * @return the options
     */
    public GitStoreOptions withSshCommand(String command) {
        return new GitStoreOptions(remote, cacheDir, timeout, networkTimeout, historyLimit, unifiedView, command, git,
                maxStateBytes);
    }

    /**
     * Returns a copy with another git executable.
     *
     * @param executable the path or name of git
     * @return the options
     */
    public GitStoreOptions withGit(String executable) {
        return new GitStoreOptions(remote, cacheDir, timeout, networkTimeout, historyLimit, unifiedView, sshCommand,
                executable, maxStateBytes);
    }

    /**
     * Returns a copy with another state size limit.
     *
     * @param limit the largest state a read loads, in bytes
     * @return the options
     */
    public GitStoreOptions withMaxStateBytes(long limit) {
        return new GitStoreOptions(remote, cacheDir, timeout, networkTimeout, historyLimit, unifiedView, sshCommand,
                git, limit);
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
                || lower.startsWith("ssh://") && remote.substring("ssh://".length(), userInfoEnd).indexOf(':') >= 0)) {
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

    @Override
    public String toString() {
        return "GitStoreOptions[remote=" + Redaction.redact(remote) + ", cacheDir=" + cacheDir + ", timeout=" + timeout
                + ", networkTimeout=" + networkTimeout + ", historyLimit=" + historyLimit + ", unifiedView="
                + unifiedView + ", git=" + git + ", maxStateBytes=" + maxStateBytes + "]";
    }
}
