/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.testkit.Git;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar as real processes with an encrypted git store: keygen, sync, history and verify with the
 * key; no memory text on the remote; no key and a wrong key are exit 9 with nothing written; a rotation
 * with rekey while another machine still has the old key file. (Every command opens its store through
 * {@code Workspace.openStore}, which applies the key file; the key file's own rules are KeyringTest's.)
 */
class EncryptionIT {
    @TempDir
    Path tmp;

    @Test
    void encryptedSyncsKeepTheRemoteOpaqueAndRefuseWrongKeys() throws Exception {
        Path remote = Cli.bareRemote(tmp);
        Cli alice = Cli.replica(tmp, "alice", remote);
        Cli bob = Cli.replica(tmp, "bob", remote);
        Path key = tmp.resolve("alice/keys/memory.key");
        Cli.Run keygen = alice.run("keygen", key.toString(), "--json");
        assertThat(keygen.code()).as("%s", keygen).isZero();
        String keyId = keygen.json().get("keyId").asText();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(keygen.out() + keygen.err()).doesNotContain(Files.readString(key).lines()
                .filter(l -> l.startsWith("key ")).findFirst().orElseThrow().split(" ")[2]);

        alice.env.put("MEMORY_BACKUP_KEY_FILE", key.toString());
        alice.write(Cli.entity("Ada Lovelace", "mathematician", "wrote the first program"));
        assertThat(alice.run("sync").code()).isZero();
        Path bobKey = tmp.resolve("bob/memory.key");
        Files.copy(key, bobKey);
        bob.write(Cli.entity("Grace Hopper", "admiral", "found a moth"));
        Cli.Run bobSync = bob.run("sync", "--key-file", bobKey.toString());
        assertThat(bobSync.code()).as("%s", bobSync).isZero();
        assertThat(bob.read()).contains("wrote the first program").contains("found a moth");
        assertThat(Git.output(remote, "cat-file", "--batch-all-objects", "--batch") + Git.output(remote, "for-each-ref")
                + Git.output(remote, "log", "--all", "--format=%B"))
                .doesNotContain("Ada").doesNotContain("first program").doesNotContain("Grace").doesNotContain("moth")
                .doesNotContain("mathematician");

        for (List<String> command : List.of(List.of("history", "--json"), List.of("verify", "--json"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--key-file", bobKey.toString()));
            Cli.Run r = bob.run(args.toArray(String[]::new));
            assertThat(r.code()).as("%s: %s", command, r).isZero();
        }

        String refs = Git.output(remote, "for-each-ref");
        Cli.Run none = bob.run("sync");
        assertThat(none.code()).as("%s", none).isEqualTo(ExitStatus.KEY);
        assertThat(none.err()).contains("[KEY_REQUIRED]").contains("--key-file");
        Path wrong = tmp.resolve("bob/wrong.key");
        assertThat(bob.run("keygen", wrong.toString()).code()).isZero();
        Cli.Run wrongRun = bob.run("sync", "--key-file", wrong.toString(), "--json");
        assertThat(wrongRun.code()).as("%s", wrongRun).isEqualTo(ExitStatus.KEY);
        assertThat(wrongRun.json().get("kind").asText()).isEqualTo("WRONG_KEY");
        assertThat(Git.output(remote, "for-each-ref")).isEqualTo(refs);
        assertThat(bob.run("sync", "--help").out()).contains("9").contains("encryption keys");

        // rotation: alice makes the new key file and rekeys; bob, still on the old file, syncs on
        Path newKey = tmp.resolve("alice/keys/memory-2.key");
        Cli.Run rotate = alice.run("keygen", "--rotate-from", key.toString(), newKey.toString(), "--json");
        assertThat(rotate.code()).as("%s", rotate).isZero();
        assertThat(rotate.json().get("oldKeyIds").get(0).asText()).isEqualTo(keyId);
        Cli.Run rekey = alice.run("rekey", "--new-key-file", newKey.toString(), "--json");
        assertThat(rekey.code()).as("%s", rekey).isZero();
        assertThat(rekey.json().get("rekeyed").asBoolean()).isTrue();
        bob.write(Cli.entity("Grace Hopper", "admiral", "found a moth", "wrote a compiler"));
        Cli.Run halfWay = bob.run("sync", "--key-file", bobKey.toString(), "--json");
        assertThat(halfWay.code()).as("%s", halfWay).isEqualTo(ExitStatus.QUARANTINED);
        assertThat(halfWay.json().get("quarantined").get(0).get("replica").asText()).isEqualTo("alice");
        Files.copy(newKey, tmp.resolve("bob/memory-2.key"));
        Cli.Run done = bob.run("sync", "--key-file", tmp.resolve("bob/memory-2.key").toString());
        assertThat(done.code()).as("%s", done).isZero();
        alice.env.put("MEMORY_BACKUP_KEY_FILE", newKey.toString());
        assertThat(alice.run("sync").code()).isZero();
        assertThat(alice.read()).contains("wrote a compiler");
    }

}
