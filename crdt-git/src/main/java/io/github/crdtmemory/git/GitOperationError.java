/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.Redaction;
import io.github.crdtmemory.store.StoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A git command failed. This is an unchecked exception (a {@link RuntimeException} through
 * {@link StoreException}), not a {@link java.lang.Error}: the name follows the product specification.
 *
 * <p>It carries the command (redacted argument list), the exit code, a bounded, redacted tail of
 * stderr, the duration, the working directory, and a {@link Kind} classified from stderr, not from
 * the exit code. No field, message or {@code toString} holds a credential.
 *
 * <p>A timeout is expressed one way: {@link #kind()} is {@link Kind#TIMEOUT} and {@link #timeout()}
 * names the bound the command exceeded (present exactly then). Only this module creates the error.
 */
public final class GitOperationError extends StoreException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure it was, and so what a caller should do. */
    public enum Kind {
        /** The remote refused the update because another writer moved the ref: re-read, join, retry. */
        REJECTED,
        /**
         * The command ran past its {@linkplain #timeout() timeout}; its whole process group (git and its
         * ssh or helper children) was ended with SIGTERM, then SIGKILL after a short grace: back off and
         * retry later. A push that timed out may have landed.
         */
        TIMEOUT,
        /** Credentials were missing or refused, or the host key is unknown: fix the setup, do not retry soon. */
        AUTH,
        /** The remote could not be reached or the transfer stalled: retry later with backoff. */
        NETWORK,
        /** A git lock file is in the way (on the remote, or locally when another process holds it): retry. */
        LOCKED,
        /** A repository holds damaged objects or refs: the local clone is re-cloned; a remote needs an operator. */
        CORRUPT,
        /** A disk is full: free space; retrying before that fails again. */
        DISK_FULL,
        /** git is missing or too old, or the remote repository does not exist: fix the setup. */
        UNAVAILABLE,
        /**
         * The repository is owned by another user and git refuses it ("dubious ownership"): retrying
         * fails again. If it is trusted, name it in {@code MEMORY_BACKUP_SAFE_DIRECTORY}; else fix its owner.
         */
        DUBIOUS_OWNERSHIP,
        /**
         * The remote holds a replica state in a format version newer than this code reads: upgrade this
         * program. Nothing was changed.
         */
        UNSUPPORTED_FORMAT,
        /** Anything else: see the command and stderr. */
        FAILED
    }

    private final Kind kind;
    private final List<String> command;
    private final int exitCode;
    private final String stderr;
    private final long durationMillis;
    private final @Nullable String workingDirectory;
    private final long timeoutMillis;

    /**
     * Creates the error. Every text argument is redacted here, whatever the caller passed.
     *
     * @param store the store's redacted description
     * @param replica the replica concerned, or null
     * @param kind the classified kind
     * @param command the command as run
     * @param exitCode its exit code, or -1 if it did not exit on its own
     * @param stderr the tail of its stderr
     * @param duration how long it ran
     * @param workingDirectory where it ran, or null
     * @param cause the underlying failure, or null
     * @throws IllegalArgumentException if {@code kind} is {@link Kind#TIMEOUT} (see
     *     {@link #timedOut timedOut})
     */
    GitOperationError(String store, @Nullable ReplicaId replica, Kind kind, List<String> command, int exitCode,
                      String stderr, Duration duration, @Nullable Path workingDirectory, @Nullable Throwable cause) {
        this(store, replica, kind, command, exitCode, stderr, duration, workingDirectory, cause, -1);
        if (kind == Kind.TIMEOUT) {
            throw new IllegalArgumentException("a timeout is made by timedOut, with its bound");
        }
    }

    private GitOperationError(String store, @Nullable ReplicaId replica, Kind kind, List<String> command, int exitCode,
                              String stderr, Duration duration, @Nullable Path workingDirectory,
                                      @Nullable Throwable cause,
                              long timeoutMillis) {
        super(store, replica, describe(kind, command, exitCode, stderr, duration), cause);
        this.timeoutMillis = timeoutMillis;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.command = command.stream().map(Redaction::redact).toList();
        this.exitCode = exitCode;
        this.stderr = Redaction.redact(stderr);
        this.durationMillis = duration.toMillis();
        this.workingDirectory = workingDirectory == null ? null : workingDirectory.toString();
    }

    /**
     * Creates the error of a command that ran past its timeout and was killed.
     *
     * @param store the store's redacted description
     * @param replica the replica concerned, or null
     * @param command the command as run
     * @param stderr what it wrote to stderr before it was killed
     * @param duration how long it ran, including the kill
     * @param timeout the timeout it exceeded
     * @param workingDirectory where it ran, or null
     * @return the error, of kind {@link Kind#TIMEOUT}
     */
    static GitOperationError timedOut(String store, @Nullable ReplicaId replica, List<String> command, String stderr,
                                      Duration duration, Duration timeout, @Nullable Path workingDirectory) {
        return new GitOperationError(store, replica, Kind.TIMEOUT, command, -1, stderr, duration, workingDirectory,
                null, timeout.toMillis());
    }

    private static String describe(Kind kind, List<String> command, int exitCode, String stderr, Duration duration) {
        String shown = Redaction.redact(String.join(" ", command));
        String tail = Redaction.redact(stderr).strip();
        return kind.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": git " + shown + " "
                + (exitCode < 0 ? "was killed" : "exited " + exitCode) + " after " + duration.toMillis() + " ms"
                + (tail.isEmpty() ? "" : ": " + tail.replace('\n', ' ')) + hint(kind);
    }

    /** What to do, where git's own advice does not apply. */
    private static String hint(Kind kind) {
        return kind != Kind.DUBIOUS_OWNERSHIP ? "" : " -- the repository belongs to another user. If you trust it, "
                + "set MEMORY_BACKUP_SAFE_DIRECTORY to its path (git's 'git config --global' advice does not apply: "
                + "git runs here without global config); else give it to this user (chown)";
    }

    /**
     * Returns the timeout the command exceeded, if it was killed for running too long.
     *
     * @return the timeout, present exactly when {@link #kind()} is {@link Kind#TIMEOUT}
     */
    public Optional<Duration> timeout() {
        return timeoutMillis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(timeoutMillis));
    }

    /**
     * Returns the kind of failure.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the git arguments (after {@code git}), with credentials masked.
     *
     * @return the redacted command
     */
    public List<String> command() {
        return command;
    }

    /**
     * Returns the exit code.
     *
     * @return the exit code, or -1 if the process was killed
     */
    public int exitCode() {
        return exitCode;
    }

    /**
     * Returns the redacted tail of stderr (at most a few kilobytes).
     *
     * @return the stderr tail
     */
    public String stderr() {
        return stderr;
    }

    /**
     * Returns how long the command ran.
     *
     * @return the duration
     */
    public Duration duration() {
        return Duration.ofMillis(durationMillis);
    }

    /**
     * Returns the directory the command ran in.
     *
     * @return the working directory, if any
     */
    public Optional<Path> workingDirectory() {
        return Optional.ofNullable(workingDirectory).map(Path::of);
    }
}
