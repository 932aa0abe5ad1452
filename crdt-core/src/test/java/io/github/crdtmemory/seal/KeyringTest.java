/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.crdtmemory.core.ReplicaId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class KeyringTest {
    private static final ReplicaId ALICE = ReplicaId.of("alice");
    private static final ChunkContext SHARD5 = new ChunkContext(ALICE, 3, "shard-05");
    private static final byte[] TEXT = "{\"e\":\"Ada Lovelace\",\"o\":\"wrote the first program\"}"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path temp;

    @Test
    void sealedChunkOpensInItsPlaceAndHidesItsText() throws Exception {
        Keyring keys = Keyring.generate();
        byte[] sealed = keys.seal(TEXT, SHARD5);
        assertThat(sealed).hasSize(TEXT.length + Keyring.OVERHEAD);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("Ada").doesNotContain("program");
        assertThat(keys.open(sealed, SHARD5)).isEqualTo(TEXT);
        assertThat(Keyring.keyIdOf(sealed)).isEqualTo(keys.currentKeyId());
    }

    @Test
    void everySealHasItsOwnNonce() {
        Keyring keys = Keyring.generate();
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            byte[] sealed = keys.seal(TEXT, SHARD5);
            nonces.add(java.util.HexFormat.of().formatHex(sealed, 12, 24));
        }
        assertThat(nonces).hasSize(1000);
    }

    @Test
    void aFlippedBitAnywhereFailsAuthentication() {
        Keyring keys = Keyring.generate();
        byte[] sealed = keys.seal(TEXT, SHARD5);
        for (int bit = 4 * 8 + 8 * 8; bit < sealed.length * 8; bit += 7) { // past magic and key id
            byte[] bad = sealed.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> keys.open(bad, SHARD5)).isInstanceOf(ChunkException.class)
                    .extracting(e -> ((ChunkException) e).reason()).isEqualTo(ChunkException.Reason.AUTHENTICATION);
        }
    }

    @Test
    void aChunkMovedToAnotherReplicaPositionOrFormatDoesNotOpen() {
        Keyring keys = Keyring.generate();
        byte[] sealed = keys.seal(TEXT, SHARD5);
        for (ChunkContext elsewhere : new ChunkContext[] {new ChunkContext(ReplicaId.of("bob"), 3, "shard-05"),
                new ChunkContext(ALICE, 3, "shard-06"), new ChunkContext(ALICE, 4, "shard-05")}) {
            assertThatThrownBy(() -> keys.open(sealed, elsewhere)).isInstanceOf(ChunkException.class)
                    .hasMessageContaining("fails authentication");
        }
    }

    @Test
    void anotherKeyIsAnUnknownKeyAndPlaintextIsMalformed() {
        byte[] sealed = Keyring.generate().seal(TEXT, SHARD5);
        Keyring other = Keyring.generate();
        assertThatThrownBy(() -> other.open(sealed, SHARD5)).isInstanceOf(ChunkException.class)
                .extracting(e -> ((ChunkException) e).reason()).isEqualTo(ChunkException.Reason.UNKNOWN_KEY);
        assertThatThrownBy(() -> other.open(TEXT, SHARD5)).isInstanceOf(ChunkException.class)
                .extracting(e -> ((ChunkException) e).reason()).isEqualTo(ChunkException.Reason.MALFORMED);
    }

    @Test
    void aRotatedKeyringSealsWithTheNewKeyAndOpensTheOld() throws Exception {
        Keyring old = Keyring.generate();
        Keyring rotated = old.rotate();
        byte[] before = old.seal(TEXT, SHARD5);
        assertThat(rotated.currentKeyId()).isNotEqualTo(old.currentKeyId());
        assertThat(rotated.keyIds()).containsExactly(rotated.currentKeyId(), old.currentKeyId());
        assertThat(rotated.open(before, SHARD5)).isEqualTo(TEXT);
        byte[] after = rotated.seal(TEXT, SHARD5);
        assertThat(Keyring.keyIdOf(after)).isEqualTo(rotated.currentKeyId());
        assertThatThrownBy(() -> old.open(after, SHARD5)).isInstanceOf(ChunkException.class);
        assertThat(old.sealingWith(Keyring.generate()).keyIds()).hasSize(2).contains(old.currentKeyId());
    }

    @Test
    void keyFileRoundTripsIsPrivateAndNeverReplaced() throws Exception {
        Keyring keys = Keyring.generate().rotate();
        Path file = temp.resolve("memory.key");
        KeyFile.create(file, keys);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(KeyFile.read(file)).isEqualTo(keys);
        assertThat(keys.toString()).doesNotContain(java.util.Base64.getEncoder()
                .encodeToString(keys.material().values().iterator().next()));
        assertThatThrownBy(() -> KeyFile.create(file, Keyring.generate())).isInstanceOf(EncryptionException.class)
                .hasMessageContaining("never replaced");
        assertThat(KeyFile.read(file)).isEqualTo(keys);
    }

    @Test
    void keyFileReadableByOthersSymlinkedMissingOrMalformedIsRefused() throws Exception {
        Path file = temp.resolve("k");
        KeyFile.create(file, Keyring.generate());
        Path link = temp.resolve("link");
        Files.createSymbolicLink(link, file);
        assertKeyFileRefused(link, "regular file");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertKeyFileRefused(file, "group or others");
        assertKeyFileRefused(temp.resolve("missing"), "cannot be read");
        Path bad = temp.resolve("bad");
        Files.writeString(bad, "crdt-memory-keys 1\nkey 0011223344556677 c2hvcnQ=\n");
        Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
        assertKeyFileRefused(bad, "line 2");
    }

    private static void assertKeyFileRefused(Path file, String why) {
        assertThatThrownBy(() -> KeyFile.read(file)).isInstanceOf(EncryptionException.class)
                .hasMessageContaining(why).hasMessageContaining(file.toString())
                .extracting(e -> ((EncryptionException) e).kind()).isEqualTo(EncryptionException.Kind.KEY_FILE);
    }

    @Test
    void manifestBindsTheSetOfChunks() throws Exception {
        Keyring keys = Keyring.generate();
        byte[] a = keys.seal(TEXT, SHARD5);
        byte[] older = keys.seal("older".getBytes(StandardCharsets.UTF_8), SHARD5);
        Map<String, String> chunks = Map.of("shard-05", SealedManifest.digest(a));
        byte[] manifest = SealedManifest.seal(keys, ALICE, 3, chunks);
        SortedMap<String, String> opened = SealedManifest.open(keys, ALICE, 3, manifest);
        SealedManifest.check(opened, chunks, ALICE);
        // the older chunk opens on its own at its position, but is not this publication's
        assertThat(keys.open(older, SHARD5)).isNotEmpty();
        assertThatThrownBy(() -> SealedManifest.check(opened, Map.of("shard-05", SealedManifest.digest(older)), ALICE))
                .isInstanceOf(ChunkException.class).hasMessageContaining("replayed");
        assertThatThrownBy(() -> SealedManifest.check(opened, Map.of(), ALICE)).hasMessageContaining("missing");
        assertThatThrownBy(() -> SealedManifest.open(keys, ReplicaId.of("bob"), 3, manifest))
                .isInstanceOf(ChunkException.class);
    }
}
