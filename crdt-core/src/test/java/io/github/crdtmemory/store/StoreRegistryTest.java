/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.Redaction;
import io.github.crdtmemory.memory.MemoryState;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class StoreRegistryTest {
    @TempDir
    Path temp;

    private StoreOptions options() {
        return StoreOptions.of(temp.resolve("cache"));
    }

    @Test
    void discoveryFindsTheLocalStores() {
        StoreRegistry registry = StoreRegistry.discover();
        assertThat(registry.schemes()).contains("file", "mem");
        try (ReplicaStore store = registry.open("file:" + temp.resolve("dir"), options())) {
            assertThat(store).isInstanceOf(DirectoryStore.class);
            assertThat(store.description()).isEqualTo("file:" + temp.resolve("dir"));
        }
        try (ReplicaStore store = registry.open(temp.resolve("abs").toUri().toString(), options())) {
            assertThat(((DirectoryStore) store).directory()).isEqualTo(temp.resolve("abs"));
        }
    }

    @Test
    void namedMemoryStoresAreSharedWithinARegistry() {
        StoreRegistry registry = StoreRegistry.discover();
        ReplicaId a = ReplicaId.of("a");
        try (ReplicaStore one = registry.open("mem:shared", options());
             ReplicaStore two = registry.open("mem:shared", options());
             ReplicaStore other = registry.open("mem:other", options())) {
            one.publish(a, StoreContract.atom(a, 1, "x"), Revision.NONE);
            assertThat(two.read().size()).isEqualTo(1);
            assertThat(other.read().size()).isZero();
        }
        assertThat(StoreRegistry.discover().open("mem:shared", options()).read().size())
                .as("another registry, another namespace").isZero();
    }

    @Test
    void unknownSchemeListsTheKnownOnes() {
        assertThatThrownBy(() -> StoreRegistry.discover().open("s3://bucket/x", options()))
                .isInstanceOf(StoreAccessException.class)
                .hasMessageContaining("unknown store scheme 's3'")
                .hasMessageContaining("file")
                .hasMessageContaining("mem");
    }

    @Test
    void explicitProviderWinsOverDiscovery() {
        MemoryStore fixed = MemoryStore.create("explicit");
        StoreProvider mine = new StoreProvider() {
            @Override
            public Set<String> schemes() {
                return Set.of("file");
            }

            @Override
            public ReplicaStore open(URI uri, StoreOptions options) {
                return fixed;
            }
        };
        assertThat(StoreRegistry.discover().with(mine).open("file:/nowhere", options())).isSameAs(fixed);
        assertThat(StoreRegistry.of(mine).schemes()).containsExactly("file");
    }

    @Test
    void plainPathsNeedAProviderThatRecognizesThem() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("plain"));
        assertThatThrownBy(() -> StoreRegistry.discover().open(dir.toString(), options()))
                .isInstanceOf(StoreAccessException.class)
                .hasMessageContaining("no store provider recognizes this path")
                .hasMessageContaining("file:" + dir);
    }

    @Test
    void optionLikeLocationsAreRejected() {
        assertThatThrownBy(() -> StoreRegistry.discover().open("--upload-pack=touch PWNED", options()))
                .isInstanceOf(StoreAccessException.class)
                .hasMessageContaining("must not start with '-'");
        assertThat(Path.of("PWNED")).doesNotExist();
    }

    @Test
    void credentialsNeverReachTheMessage() {
        assertThatThrownBy(() -> StoreRegistry.discover().open("s3://user:hunter2@host/x?token=abc123", options()))
                .isInstanceOf(StoreAccessException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("abc123")
                        .contains("***"));
    }

    @Test
    void fileStoresMustBeLocal() {
        assertThatThrownBy(() -> StoreRegistry.discover().open("file://otherhost/srv/x", options()))
                .isInstanceOf(StoreAccessException.class)
                .hasMessageContaining("must be local");
    }

    @Test
    void redactionMasksEveryKindOfSecret() {
        assertThat(Redaction.redact("https://user:tok3n@github.com/x.git")).isEqualTo("https://***@github.com/x.git");
        assertThat(Redaction.redact("Authorization: Bearer abc.def")).isEqualTo("Authorization: Bearer ***");
        assertThat(Redaction.redact("http.extraHeader=Authorization: Basic dXNlcjpw")).doesNotContain("dXNlcjpw");
        assertThat(Redaction.redact("x?access_token=s3cr3t&y=1")).isEqualTo("x?access_token=***&y=1");
        assertThat(Redaction.redact("ssh://git@host/repo")).isEqualTo("ssh://***@host/repo");
        assertThat(Redaction.redact("no secrets here")).isEqualTo("no secrets here");
        assertThat(Redaction.redact("token ghp_abcdefghijklmnopqrstuvwxyz0123 leaked")).isEqualTo("token *** leaked");
        assertThat(Redaction.redact(null)).isEmpty();
    }

    @Test
    void snapshotOfRejectsTwoStatesForOneReplica() {
        ReplicaId a = ReplicaId.of("a");
        PublishedState one = new PublishedState(a, Revision.of("1"), MemoryState.empty());
        assertThatThrownBy(() -> Snapshot.of(java.util.List.of(one, one))).isInstanceOf(IllegalArgumentException.class);
    }
}
