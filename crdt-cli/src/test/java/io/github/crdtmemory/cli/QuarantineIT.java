/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar as a real process against a remote where one replica's state is garbage: sync merges the
 * others and exits 8 naming it, status shows it, verify fails on it.
 */
class QuarantineIT {
    @TempDir
    Path tmp;

    Path remote;
    Cli alice;
    Cli bob;

    @BeforeEach
    void setUp() throws Exception {
        remote = Cli.bareRemote(tmp);
        alice = Cli.replica(tmp, "alice", remote);
        bob = Cli.replica(tmp, "bob", remote);
        alice.write(Cli.entity("Ada", "person", "from alice"));
        Cli.Run a = alice.run("sync");
        assertThat(a.code()).as("%s", a).isZero();
        // another machine pushed a state nobody can read
        Path work = Files.createDirectories(tmp.resolve("work"));
        Cli.git(work, "init", "-q");
        Files.writeString(work.resolve("mallory.state"), "not a state\n");
        Cli.git(work, "add", "mallory.state");
        Cli.git(work, "-c", "user.name=m", "-c", "user.email=m@example.invalid", "commit", "-q", "-m", "garbage");
        Cli.git(work, "push", "-q", remote.toString(), "HEAD:refs/heads/replicas/mallory");
    }

    @Test
    void syncMergesTheOthersAndExitsEightNamingTheQuarantinedReplica() throws Exception {
        bob.write(Cli.entity("Bob", "person", "from bob"));
        Cli.Run sync = bob.run("sync", "--json");
        assertThat(sync.code()).as("%s", sync).isEqualTo(ExitStatus.QUARANTINED);
        JsonNode q = sync.json().get("quarantined");
        assertThat(q).hasSize(1);
        assertThat(q.get(0).get("replica").asText()).isEqualTo("mallory");
        assertThat(q.get(0).get("reason").asText()).contains("unreadable state").contains("mallory.state");
        assertThat(sync.json().get("publication").asText()).isEqualTo("published");
        assertThat(bob.read()).contains("from alice").contains("from bob");

        Cli.Run human = bob.run("sync");
        assertThat(human.code()).isEqualTo(ExitStatus.QUARANTINED);
        assertThat(human.out()).contains("quarantined: replica mallory skipped (unreadable state");

        Cli.Run status = bob.run("status", "--json");
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.json().get("quarantined").get(0).get("replica").asText()).isEqualTo("mallory");
        assertThat(bob.run("status").out()).contains("quarantined: replica mallory");
    }

    @Test
    void verifyFailsOnAQuarantinedReplicaAndStillChecksTheOthers() {
        Cli.Run verify = bob.run("verify", "--json");
        assertThat(verify.code()).as("%s", verify).isEqualTo(ExitStatus.VERIFICATION);
        JsonNode v = verify.json();
        assertThat(v.get("ok").asBoolean()).isFalse();
        assertThat(v.get("replicas").asInt()).as("alice is checked").isEqualTo(1);
        assertThat(v.get("problems").get(0).asText()).startsWith("replica mallory is quarantined: unreadable state");
        assertThat(v.get("quarantined").get(0).get("replica").asText()).isEqualTo("mallory");
        Cli.Run human = bob.run("verify");
        assertThat(human.code()).isEqualTo(ExitStatus.VERIFICATION);
        assertThat(human.err()).contains("replica mallory is quarantined");
    }

    @Test
    void aStateOverMaxStateSizeIsQuarantinedAndTheCodeIsInEveryHelp() throws Exception {
        bob.write(Cli.entity("Bob", "person", "from bob"));
        Cli.Run sync = bob.run("sync", "--json", "--max-state-size", "100");
        assertThat(sync.code()).as("%s", sync).isEqualTo(ExitStatus.QUARANTINED);
        assertThat(sync.json().get("quarantined").findValuesAsText("replica")).contains("alice", "mallory");
        assertThat(sync.json().get("quarantined").get(0).get("reason").asText()).contains("over the limit of 100 bytes");
        assertThat(bob.run("sync", "--max-state-size", "0").code()).isEqualTo(ExitStatus.USAGE);
        for (String command : new String[] {"sync", "backup", "restore", "status", "verify", "merge", "history"}) {
            Cli.Run help = bob.run(command, "--help");
            assertThat(help.out()).as(command).contains("done, but some replicas were quarantined");
        }
    }

    @Test
    void aScheduledSyncKeepsTheSizeLimit() throws Exception {
        Path fakebin = Files.createDirectories(tmp.resolve("fakebin"));
        Files.writeString(fakebin.resolve("crontab"), "#!/bin/sh\necho 'no crontab for tester' >&2\nexit 1\n");
        Files.setPosixFilePermissions(fakebin.resolve("crontab"), PosixFilePermissions.fromString("rwx------"));
        Path bin = Files.createDirectories(tmp.resolve("app/bin"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path launcher = bin.resolve("memory-backup");
        Files.writeString(launcher, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        bob.env.put("PATH", fakebin + ":" + System.getenv("PATH"));

        Cli.Run limited = bob.run("install-schedule", "--launcher", launcher.toString(), "--dry-run",
                "--max-state-size", "1MiB");
        assertThat(limited.code()).as("%s", limited).isZero();
        assertThat(limited.out()).contains(launcher + " sync").contains("--max-state-size 1048576");
        Cli.Run plain = bob.run("install-schedule", "--launcher", launcher.toString(), "--dry-run");
        assertThat(plain.out()).contains(launcher + " sync").doesNotContain("--max-state-size");
    }
}
