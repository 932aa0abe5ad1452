/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.store.LocalStateException;
import io.github.crdtmemory.store.LockTimeoutException;
import io.github.crdtmemory.store.StoreAccessException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A local file's failure is named apart from the store's, and keeps exit code 4; a lock wait keeps 5. */
class ExitStatusTest {
    @Test
    void aLocalFileFailureNamesThePartNotTheStore() {
        ExitStatus.Failure f = ExitStatus.classify(new LocalStateException(LocalStateException.Part.MEMORY_FILE,
                Path.of("/home/u/memory.jsonl"), ReplicaId.of("alice"), "cannot read the memory file", null));
        assertThat(f.code()).isEqualTo(ExitStatus.STORE);
        assertThat(f.kind()).isEqualTo("LOCAL_MEMORY_FILE");
        assertThat(f.message()).startsWith("/home/u/memory.jsonl: cannot read");
    }

    @Test
    void aLockTimeoutKeepsItsOwnCodeAndAStoreFailureItsKind() {
        ExitStatus.Failure lock = ExitStatus.classify(
                new LockTimeoutException(Path.of("/s/sync.lock"), Duration.ofSeconds(1), "held by another process"));
        assertThat(lock.code()).isEqualTo(ExitStatus.LOCK_TIMEOUT);
        assertThat(lock.kind()).isEqualTo("LOCK_TIMEOUT");
        ExitStatus.Failure store = ExitStatus.classify(new StoreAccessException("file:/srv/s", null, "cannot read",
                null));
        assertThat(store.kind()).isEqualTo("STORE_ACCESS");
    }
}
