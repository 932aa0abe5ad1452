/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.git.GitOperationError;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.store.ConcurrentUpdateException;
import io.github.crdtmemory.store.CorruptStateException;
import io.github.crdtmemory.store.LocalStateException;
import io.github.crdtmemory.store.LockTimeoutException;
import io.github.crdtmemory.internal.Redaction;
import io.github.crdtmemory.store.StoreException;
import io.github.crdtmemory.seal.EncryptionException;
import io.github.crdtmemory.sync.MassDeletionException;
import io.github.crdtmemory.sync.VerificationException;

/**
 * The exit codes of {@code memory-backup}, and which failure maps to which. Stable: scripts and cron
 * wrappers depend on them.
 */
final class ExitStatus {
    static final int OK = 0;
    static final int INTERNAL = 1;
    static final int USAGE = 2;
    static final int BAD_INPUT = 3;
    static final int STORE = 4;
    static final int LOCK_TIMEOUT = 5;
    static final int VERIFICATION = 6;
    static final int MASS_DELETION = 7;
    static final int QUARANTINED = 8;
    static final int KEY = 9;

    /** The exit code list shown by every command's {@code --help}. */
    static final String[] HELP = {
        "0:success",
        "2:usage error (unknown option, invalid value)",
        "3:bad input: a memory, state or legacy file does not parse (the message names file and line), "
                + "or the memory file of a backup is missing, or the crontab's memory-backup block is damaged "
                + "(nothing changed)",
        "4:store or git failure, or a local file (memory file, state directory) failed (the message names the "
                + "error kind)",
        "5:another sync held the lock longer than --timeout",
        "6:verification failed: a state does not parse or the join does not check out",
        "7:refused: the memory file's edits delete most of the memory (emptied or truncated?); nothing "
                + "changed. Rerun with --allow-mass-deletion to keep the deletion, or remove the file and restore",
        "8:done, but some replicas were quarantined: their state (or ref, or objects) could not be read or is "
                + "over --max-state-size; every other replica was merged and published. The output names them and "
                + "why; 'verify' fails on them",
        "9:encryption keys: the key file is missing, unreadable, not 0600 or malformed; the store is encrypted "
                + "and no --key-file was given; the key file opens none of its states (wrong or outdated key); or "
                + "an encrypted and a plaintext store met. Nothing was written; the kind names which",
        "1:internal error (a bug: please report it with -v output)"};

    private ExitStatus() {
    }

    /**
     * A failure as the command reports it.
     *
     * @param code the exit code
     * @param kind a short, stable name of the failure class (an error kind for git failures)
     * @param message the redacted message
     */
    record Failure(int code, String kind, String message) {
    }

    /** Maps an exception from a command to its exit code, kind and redacted message. */
    static Failure classify(Throwable t) {
        String message = Redaction.redact(String.valueOf(t.getMessage()));
        if (t instanceof CommandFailure f) {
            return new Failure(f.code(), f.kind(), message);
        }
        if (t instanceof MemoryFormatException) {
            return new Failure(BAD_INPUT, "BAD_INPUT", message);
        }
        if (t instanceof MassDeletionException) {
            return new Failure(MASS_DELETION, "MASS_DELETION", message
                    + " (here: rerun with --allow-mass-deletion, or remove the file and run restore)");
        }
        if (t instanceof LockTimeoutException) {
            return new Failure(LOCK_TIMEOUT, "LOCK_TIMEOUT", message);
        }
        if (t instanceof VerificationException) {
            return new Failure(VERIFICATION, "VERIFICATION", message);
        }
        if (t instanceof GitOperationError g) {
            return new Failure(STORE, g.kind().name(), message);
        }
        if (t instanceof ConcurrentUpdateException) {
            return new Failure(STORE, "CONCURRENT_UPDATE", message);
        }
        if (t instanceof CorruptStateException) {
            return new Failure(STORE, "CORRUPT_STATE", message);
        }
        if (t instanceof EncryptionException e) {
            return new Failure(KEY, e.kind().name(), message);
        }
        if (t instanceof StoreException) {
            return new Failure(STORE, "STORE_ACCESS", message);
        }
        if (t instanceof LocalStateException l) {
            return new Failure(STORE, "LOCAL_" + l.part().name(), message);
        }
        if (t instanceof IllegalArgumentException) {
            return new Failure(USAGE, "USAGE", message);
        }
        return new Failure(INTERNAL, "INTERNAL", t.getClass().getName() + ": " + message);
    }
}
