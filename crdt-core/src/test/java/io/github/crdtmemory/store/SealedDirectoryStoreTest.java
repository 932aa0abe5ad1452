/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.seal.EncryptionException;
import io.github.crdtmemory.seal.Keyring;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An encrypted {@link DirectoryStore} keeps the store contract, writes no plaintext, and refuses what
 * an encrypted store must: moved files, a wrong or missing key, and plaintext.
 */
final class SealedDirectoryStoreTest implements StoreContract {
    private static final ReplicaId ALICE = ReplicaId.of("alice");
    private static final ReplicaId BOB = ReplicaId.of("bob");
    private static final Keyring KEYS = Keyring.generate();

    @TempDir
    Path temp;

    private final AtomicInteger count = new AtomicInteger();

    private static DirectoryStore open(Path dir, Keyring keys) {
        return DirectoryStore.open(dir, Duration.ofSeconds(30), StoreOptions.DEFAULT_MAX_STATE_BYTES, keys);
    }

    @Override
    public ReplicaStore newStore() {
        return open(temp.resolve("store-" + count.incrementAndGet()), KEYS);
    }

    @Override
    public ReplicaStore reopen(ReplicaStore store) {
        return open(((DirectoryStore) store).directory(), KEYS);
    }

    @Test
    void filesHoldNoTextAndAnUnchangedStateIsNotSealedAgain() throws IOException {
        DirectoryStore store = open(temp.resolve("s"), KEYS);
        Revision r = store.publish(ALICE, StoreContract.atom(ALICE, 1, "Ada wrote the first program"), Revision.NONE);
        Path file = store.directory().resolve("replicas/alice.state");
        byte[] sealed = Files.readAllBytes(file);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("Ada").doesNotContain("program");
        assertThat(Keyring.keyIdOf(sealed)).isEqualTo(KEYS.currentKeyId());
        assertThat(store.publish(ALICE, store.read().get(ALICE).orElseThrow().state(), r)).isEqualTo(r);
        assertThat(Files.readAllBytes(file)).isEqualTo(sealed);
    }

    @Test
    void liveMemoriesSyncThroughAStoreOpenedWithAKeyringFromTheRegistry() throws IOException {
        StoreOptions options = StoreOptions.of(temp.resolve("cache")).withKeyring(KEYS);
        try (ReplicaStore store = StoreRegistry.discover().open("file:" + temp.resolve("live"), options);
             io.github.crdtmemory.live.LiveMemory a = io.github.crdtmemory.live.LiveMemory.open(temp.resolve("a.state"),
                     ALICE);
             io.github.crdtmemory.live.LiveMemory b = io.github.crdtmemory.live.LiveMemory.open(temp.resolve("b.state"),
                     BOB)) {
            a.createEntities(java.util.List.of(io.github.crdtmemory.memory.Entity.of("Ada", "person",
                    "wrote the first program")));
            a.sync(store);
            b.sync(store);
            assertThat(b.readGraph().entity("Ada")).isPresent();
            for (Path f : java.util.List.of(temp.resolve("live/replicas/alice.state"),
                    temp.resolve("live/replicas/bob.state"))) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).doesNotContain("Ada")
                        .doesNotContain("first program");
            }
        }
        assertThatThrownBy(() -> StoreRegistry.discover().open("file:" + temp.resolve("live"),
                StoreOptions.of(temp.resolve("cache"))).read()).isInstanceOf(EncryptionException.class);
    }

    @Test
    void aFileMovedToAnotherReplicaIsQuarantined() throws IOException {
        DirectoryStore store = open(temp.resolve("s"), KEYS);
        store.publish(ALICE, StoreContract.atom(ALICE, 1, "alice's"), Revision.NONE);
        store.publish(BOB, StoreContract.atom(BOB, 1, "bob's"), Revision.NONE);
        Path replicas = store.directory().resolve("replicas");
        Files.copy(replicas.resolve("alice.state"), replicas.resolve("bob.state"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Snapshot s = store.read();
        assertThat(s.replicas()).containsExactly(ALICE);
        assertThat(s.quarantined()).singleElement().satisfies(q -> {
            assertThat(q.replica()).isEqualTo(BOB);
            assertThat(q.reason()).contains("fails authentication");
        });
    }

    @Test
    void aWrongOrMissingKeyAndPlaintextAreRefusedWithNothingWritten() throws IOException {
        Path dir = temp.resolve("s");
        DirectoryStore store = open(dir, KEYS);
        Revision r = store.publish(ALICE, StoreContract.atom(ALICE, 1, "alice's"), Revision.NONE);
        byte[] before = Files.readAllBytes(dir.resolve("replicas/alice.state"));
        assertThatThrownBy(() -> open(dir, Keyring.generate()).read()).isInstanceOf(EncryptionException.class)
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.WRONG_KEY);
        assertThatThrownBy(() -> open(dir, null).read()).isInstanceOf(EncryptionException.class)
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.KEY_REQUIRED);
        assertThatThrownBy(() -> open(dir, null).publish(ALICE, StoreContract.atom(ALICE, 2, "plain"), r))
                .isInstanceOf(EncryptionException.class)
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.MODE_MISMATCH);
        assertThat(Files.readAllBytes(dir.resolve("replicas/alice.state"))).isEqualTo(before);

        Path plain = temp.resolve("plain");
        Revision p = open(plain, null).publish(ALICE, StoreContract.atom(ALICE, 1, "alice's"), Revision.NONE);
        assertThatThrownBy(() -> open(plain, KEYS).read()).isInstanceOf(EncryptionException.class)
                .hasMessageContaining("not an encrypted store");
        assertThatThrownBy(() -> open(plain, KEYS).publish(ALICE, StoreContract.atom(ALICE, 2, "x"), p))
                .isInstanceOf(EncryptionException.class).hasMessageContaining("plaintext");
    }

    @Test
    void theRevisionsOfANoOpSyncCheckTheModeAndTheKeyToo() {
        Path dir = temp.resolve("s");
        Revision r = open(dir, KEYS).publish(ALICE, StoreContract.atom(ALICE, 1, "alice's"), Revision.NONE);
        assertThat(open(dir, KEYS).revisions()).containsEntry(ALICE, r);
        assertThatThrownBy(() -> open(dir, Keyring.generate()).revisions()).isInstanceOf(EncryptionException.class)
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.WRONG_KEY);
        assertThatThrownBy(() -> open(dir, null).revisions()).isInstanceOf(EncryptionException.class)
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.KEY_REQUIRED);

        Path plain = temp.resolve("plain");
        Revision p = open(plain, null).publish(ALICE, StoreContract.atom(ALICE, 1, "alice's"), Revision.NONE);
        assertThat(open(plain, null).revisions()).containsEntry(ALICE, p);
        assertThatThrownBy(() -> open(plain, KEYS).revisions()).isInstanceOf(EncryptionException.class)
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.MODE_MISMATCH);
    }
}
