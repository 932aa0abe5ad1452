/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.StoreAccessException;
import io.github.crdtmemory.store.StoreContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote owned by another user: git refuses it ("dubious ownership"). It must fail as its own kind,
 * never as NETWORK (which says retry), with a message naming MEMORY_BACKUP_SAFE_DIRECTORY; with that
 * set, the store works. Needs root, to give the repository away.
 */
class GitOwnershipTest {
    private static final ReplicaId A = ReplicaId.of("a");

    @TempDir
    Path tmp;

    private Path foreignRemote() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown to nobody");
        Path remote = GitFixtures.bareRemote(tmp.resolve("remote.git"));
        UserPrincipal nobody = remote.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        try (Stream<Path> all = Files.walk(remote)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Files.setOwner(p, nobody);
            }
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        return remote;
    }

    /** Today's code said "network: ... Could not read from remote repository" [NETWORK]. */
    @Test
    void aRemoteOwnedByAnotherUserIsItsOwnKindAndNamesTheWayOut() throws Exception {
        Path remote = foreignRemote();
        try (GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("cache")), Map.of(
                "PATH", System.getenv("PATH")))) {
            assertThatThrownBy(store::read).isInstanceOfSatisfying(GitOperationError.class, e -> {
                assertThat(e.kind()).isEqualTo(GitOperationError.Kind.DUBIOUS_OWNERSHIP);
                assertThat(e.getMessage()).contains("dubious ownership").contains("MEMORY_BACKUP_SAFE_DIRECTORY");
            });
        }
    }

    @Test
    void theSafeDirectoryVariableLetsTheStoreUseIt() throws Exception {
        Path remote = foreignRemote();
        Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv("PATH")));
        env.put(SafeDirectory.VARIABLE, remote.toString());
        try (GitStore store = GitStore.open(GitStoreOptions.of(remote.toString(), tmp.resolve("cache")), env)) {
            Revision r = store.publish(A, StoreContract.atom(A, 1, "x"), Revision.NONE);
            assertThat(store.read().revision(A)).isEqualTo(r);
            Path config = store.clonePath().resolveSibling(SafeDirectory.FILE);
            assertThat(config).content().isEqualTo("[safe]\n\tdirectory = \"" + remote + "\"\n");
            assertThat(Files.getPosixFilePermissions(config)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aRelativeOrControlCharacterValueIsRefused() {
        for (String bad : new String[] {"relative/repo.git", "/srv/a\nb"}) {
            Map<String, String> env = Map.of("PATH", System.getenv("PATH"), SafeDirectory.VARIABLE, bad);
            assertThatThrownBy(() -> GitStore.open(GitStoreOptions.of("/srv/x.git", tmp.resolve("cache")), env))
                    .isInstanceOf(StoreAccessException.class).hasMessageContaining(SafeDirectory.VARIABLE);
        }
    }
}
