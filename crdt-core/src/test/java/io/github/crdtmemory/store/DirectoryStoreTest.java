/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DirectoryStore} keeps the store contract, with a second handle per test as a second process would. */
final class DirectoryStoreTest implements StoreContract {
    @TempDir
    Path temp;

    private final AtomicInteger count = new AtomicInteger();

    @Override
    public ReplicaStore newStore() {
        return DirectoryStore.open(temp.resolve("store-" + count.incrementAndGet()), Duration.ofSeconds(30));
    }

    @Override
    public ReplicaStore reopen(ReplicaStore store) {
        return DirectoryStore.open(((DirectoryStore) store).directory(), Duration.ofSeconds(30));
    }

    @Test
    void filesAreOwnerOnly() throws IOException {
        try (DirectoryStore store = DirectoryStore.open(temp.resolve("perm/deep"), Duration.ofSeconds(5))) {
            store.publish(ReplicaId.of("a"), StoreContract.atom(ReplicaId.of("a"), 1, "x"), Revision.NONE);
            Path dir = store.directory();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("replicas"))))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    dir.resolve("replicas/a.state")))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("store.lock"))))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void aCorruptStateFileQuarantinesItsReplicaOnly() throws IOException {
        try (DirectoryStore store = DirectoryStore.open(temp.resolve("corrupt"), Duration.ofSeconds(5))) {
            ReplicaId good = ReplicaId.of("good");
            store.publish(good, StoreContract.atom(good, 1, "x"), Revision.NONE);
            byte[] bad = "{\"format\":\"crdt-memory-state\",\"version\":1}\n{\"atom\":".getBytes(StandardCharsets.UTF_8);
            Files.write(store.directory().resolve("replicas/bad.state"), bad);
            Snapshot s = store.read();
            assertThat(s.replicas()).containsExactly(good);
            assertThat(s.quarantined()).singleElement().satisfies(q -> {
                assertThat(q.replica()).isEqualTo(ReplicaId.of("bad"));
                assertThat(q.reason()).contains("bad.state");
            });
            // the replica itself replaces its unreadable state by compare-and-swap
            ReplicaId b = ReplicaId.of("bad");
            store.publish(b, StoreContract.atom(b, 2, "repaired"), s.revision(b));
            assertThat(store.read().quarantined()).isEmpty();
            assertThat(store.read().get(b).orElseThrow().state()).isEqualTo(StoreContract.atom(b, 2, "repaired"));
        }
    }

    @Test
    void aStateFileOverTheLimitIsQuarantinedUnread() throws IOException {
        try (DirectoryStore store = DirectoryStore.open(temp.resolve("big"), Duration.ofSeconds(5), 1024)) {
            ReplicaId good = ReplicaId.of("good");
            store.publish(good, StoreContract.atom(good, 1, "x"), Revision.NONE);
            Files.write(store.directory().resolve("replicas/huge.state"), new byte[4096]);
            Snapshot s = store.read();
            assertThat(s.replicas()).containsExactly(good);
            assertThat(s.quarantined()).singleElement().satisfies(q -> {
                assertThat(q.replica()).isEqualTo(ReplicaId.of("huge"));
                assertThat(q.reason()).contains("4096 bytes").contains("limit of 1024 bytes");
                assertThat(q.revision().isNone()).isFalse();
            });
        }
    }

    @Test
    void staleTempFilesAreRemovedByTheNextPublication() throws IOException {
        try (DirectoryStore store = DirectoryStore.open(temp.resolve("temps"), Duration.ofSeconds(5))) {
            Path stale = store.directory().resolve("replicas/.a.state.123.tmp");
            Files.writeString(stale, "half a state");
            store.publish(ReplicaId.of("a"), StoreContract.atom(ReplicaId.of("a"), 1, "x"), Revision.NONE);
            assertThat(stale).doesNotExist();
            assertThat(store.read().size()).isEqualTo(1);
        }
    }

    @Test
    void foreignFilesAreIgnored() throws IOException {
        try (DirectoryStore store = DirectoryStore.open(temp.resolve("foreign"), Duration.ofSeconds(5))) {
            Files.writeString(store.directory().resolve("replicas/NOT VALID.state"), "whatever");
            Files.writeString(store.directory().resolve("replicas/readme.txt"), "whatever");
            assertThat(store.read().size()).isZero();
        }
    }

    @Test
    void closedStoreRefusesWork() {
        DirectoryStore store = DirectoryStore.open(temp.resolve("closed"), Duration.ofSeconds(5));
        store.close();
        assertThatThrownBy(store::read).isInstanceOf(IllegalStateException.class);
    }
}
