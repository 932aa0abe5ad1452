/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.ProcessFileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar as a real process: convergence through a bare remote, every exit code, the JSON output. */
class CliIT {
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
    }

    @Test
    void twoReplicasSyncingThroughABareRemoteConverge() throws Exception {
        alice.write(Cli.entity("Ada", "person", "wrote the first program"), Cli.entity("Old", "note", "x"));
        assertThat(alice.run("sync").code()).isZero();
        Cli.Run restored = bob.run("restore");
        assertThat(restored.code()).as("%s", restored).isZero();
        assertThat(bob.read()).contains("Ada").contains("Old");

        alice.write(Cli.entity("Ada", "person", "wrote the first program", "from alice"), Cli.entity("Old", "note", "x"));
        bob.write(Cli.entity("Ada", "person", "wrote the first program", "from bob"));
        for (int round = 0; round < 2; round++) {
            Cli.Run a = alice.run("sync");
            Cli.Run b = bob.run("sync");
            assertThat(a.code()).as("%s", a).isZero();
            assertThat(b.code()).as("%s", b).isZero();
        }
        assertThat(alice.read()).isEqualTo(bob.read()).contains("from alice").contains("from bob").doesNotContain("Old");

        Cli.Run verify = alice.run("verify", "--json");
        assertThat(verify.code()).as("%s", verify).isZero();
        assertThat(verify.json().get("ok").asBoolean()).isTrue();
        assertThat(verify.json().get("replicas").asInt()).isEqualTo(2);
    }

    @Test
    void jsonOutputIsOneObjectWithTheDocumentedSchema() throws Exception {
        alice.write(Cli.entity("Ada", "person", "x"));
        Cli.Run sync = alice.run("sync", "--json");
        assertThat(sync.code()).as("%s", sync).isZero();
        JsonNode r = sync.json();
        List<String> fields = new ArrayList<>();
        r.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("format", "version", "replica", "memoryFile", "store", "counts", "added",
                "changed", "deleted", "replicasRead", "conflicts", "clockAnomalies", "publication", "publishAttempts",
                "writeBack", "checksums", "timingsMillis", "warnings", "keptCopy", "quarantined");
        assertThat(r.get("format").asText()).isEqualTo("crdt-memory-sync-report");
        assertThat(r.get("replica").asText()).isEqualTo("alice");
        assertThat(r.get("publication").asText()).isEqualTo("published");
        assertThat(r.get("added")).hasSize(2);
        assertThat(r.get("store").asText()).doesNotContain("git+");

        Cli.Run backup = alice.run("backup", "--json");
        assertThat(backup.json().get("writeBack").asText()).isEqualTo("not_requested");
        assertThat(backup.json().get("publication").asText()).isEqualTo("already_current");

        Cli.Run status = alice.run("status", "--json");
        assertThat(status.code()).as("%s", status).isZero();
        List<String> statusFields = new ArrayList<>();
        status.json().fieldNames().forEachRemaining(statusFields::add);
        assertThat(statusFields).containsExactly("format", "version", "replica", "memoryFile", "memoryFileExists",
                "stateDir", "store", "lastSync", "counts", "localEdits", "unpublishedAtoms", "replicasInStore",
                "upToDate", "massDeletion", "quarantined");
        assertThat(status.json().get("upToDate").asBoolean()).isTrue();

        alice.write(Cli.entity("Ada", "person", "x", "y"));
        assertThat(alice.run("status", "--json").json().get("localEdits").asInt()).isEqualTo(1);

        Cli.Run failed = alice.run("sync", "--json", "--store", "git+file://" + tmp.resolve("missing.git"));
        assertThat(failed.code()).isEqualTo(4);
        assertThat(failed.json().get("format").asText()).isEqualTo("crdt-memory-error");
        assertThat(failed.json().get("exitCode").asInt()).isEqualTo(4);
        assertThat(failed.json().get("kind").asText()).isEqualTo("UNAVAILABLE");
    }

    @Test
    void usageErrorsExitTwo() {
        Cli.Run unknown = alice.run("sync", "--no-such-option");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("--no-such-option");
        assertThat(alice.run("sync", "--replica", "Not Valid").code()).isEqualTo(2);
        assertThat(alice.run("sync", "--timeout", "soon").code()).isEqualTo(2);
        assertThat(alice.run().code()).isEqualTo(2);
    }

    @Test
    void badInputExitsThreeNamingFileAndLine() throws Exception {
        alice.write(Cli.entity("Ada", "person", "x"), "{\"type\":\"entity\",\"name\":\"B\",\"observations\":[}",
                Cli.entity("C", "t"));
        byte[] before = Files.readAllBytes(alice.home.resolve("memory.jsonl"));
        Cli.Run bad = alice.run("sync");
        assertThat(bad.code()).as("%s", bad).isEqualTo(3);
        assertThat(bad.err()).contains(alice.home.resolve("memory.jsonl").toString()).contains("memory.jsonl:2:");
        assertThat(Files.readAllBytes(alice.home.resolve("memory.jsonl"))).isEqualTo(before);
        assertThat(remoteRefs()).isEmpty();
    }

    @Test
    void aNewMachineSyncCreatesItsMemoryFileAndOnceSeenAMissingFileIsRefusedWithSeven() throws Exception {
        Path file = alice.home.resolve("memory.jsonl");
        Cli.Run missing = alice.run("backup");
        assertThat(missing.code()).as("%s", missing).isEqualTo(3);
        assertThat(missing.err()).contains(file.toString()).contains("--memory-file").contains("MEMORY_FILE_PATH");
        Cli.Run empty = alice.run("sync");
        assertThat(empty.code()).as("a new machine, an empty store: %s", empty).isZero();
        assertThat(file).exists();
        Files.delete(file);

        bob.write(Cli.entity("Ada", "person", "x"));
        assertThat(bob.run("sync").code()).isZero();
        Cli.Run joined = alice.run("sync", "--json");
        assertThat(joined.code()).as("%s", joined).isZero();
        assertThat(joined.json().get("deleted")).isEmpty();
        assertThat(joined.json().get("writeBack").asText()).isEqualTo("written");
        assertThat(alice.read()).contains("Ada");
        assertThat(PrivateFiles.permissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        Files.delete(file); // the state directory has seen Ada in it now
        Cli.Run refused = alice.run("sync", "--json");
        assertThat(refused.code()).as("%s", refused).isEqualTo(7);
        assertThat(refused.json().get("kind").asText()).isEqualTo("MASS_DELETION");
        assertThat(file).doesNotExist();
        Cli.Run restore = alice.run("restore");
        assertThat(restore.code()).as("%s", restore).isZero();
        assertThat(alice.read()).contains("Ada");
        assertThat(PrivateFiles.permissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(bob.run("sync").code()).isZero();
        assertThat(bob.read()).as("nothing was deleted").contains("Ada");
    }

    @Test
    void storeFailuresExitFourNamingTheKind() throws Exception {
        alice.write(Cli.entity("Ada", "person", "x"));
        Cli.Run missing = alice.run("sync", "--store", "git+file://" + tmp.resolve("nowhere.git"));
        assertThat(missing.code()).as("%s", missing).isEqualTo(4);
        assertThat(missing.err()).contains("[UNAVAILABLE]");
        Cli.Run scheme = alice.run("sync", "--store", "nosuch://x");
        assertThat(scheme.code()).isEqualTo(4);
        assertThat(scheme.err()).contains("git+file").contains("file");
        Cli.Run secret = alice.run("sync", "--store", "git+https://user:hunter2secret@127.0.0.1:1/x.git",
                "--timeout", "5s");
        assertThat(secret.code()).isEqualTo(4);
        assertThat(secret.out() + secret.err()).doesNotContain("hunter2secret");
    }

    @Test
    void aHeldLockExitsFive() throws Exception {
        alice.write(Cli.entity("Ada", "person", "x"));
        assertThat(alice.run("sync").code()).isZero();
        Path memory = alice.home.resolve("memory.jsonl").toAbsolutePath().normalize();
        Path dir = alice.home.resolve(".local/state/memory-backup/files/alice-"
                + PrivateFiles.sha256(memory.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16));
        assertThat(dir).isDirectory();
        try (ProcessFileLock held = ProcessFileLock.acquire(dir.resolve("sync.lock"), Duration.ofSeconds(5))) {
            Cli.Run blocked = alice.run("sync", "--timeout", "1s");
            assertThat(blocked.code()).as("%s", blocked).isEqualTo(5);
            assertThat(blocked.err()).contains("[LOCK_TIMEOUT]");
        }
        assertThat(alice.run("sync").code()).isZero();
    }

    @Test
    void aCorruptStateFailsVerificationWithSix() throws Exception {
        Path store = tmp.resolve("dirstore");
        alice.write(Cli.entity("Ada", "person", "x"));
        assertThat(alice.run("sync", "--store", "file:" + store).code()).isZero();
        assertThat(alice.run("verify", "--store", "file:" + store).code()).isZero();
        Path state;
        try (var files = Files.list(store.resolve("replicas"))) {
            state = files.filter(p -> p.toString().endsWith(".state")).findFirst().orElseThrow();
        }
        Files.writeString(state, "{\"format\":\"crdt-memory-state\",\"version\":1}\n[\"garbage", StandardCharsets.UTF_8);
        Cli.Run verify = alice.run("verify", "--store", "file:" + store);
        assertThat(verify.code()).as("%s", verify).isEqualTo(6);
        assertThat(verify.err()).contains("[VERIFICATION]");
        Cli.Run json = alice.run("verify", "--json", "--store", "file:" + store);
        assertThat(json.code()).isEqualTo(6);
        assertThat(json.json().get("ok").asBoolean()).isFalse();
    }

    @Test
    void theUnifiedViewOnMainIsCheckedAgainstTheJoin() throws Exception {
        alice.write(Cli.entity("Ada", "person", "x"));
        assertThat(alice.run("sync").code()).isZero();
        Path work = tmp.resolve("work");
        Cli.git(tmp, "clone", "-q", "-b", "main", remote.toString(), work.toString());
        Path shard;
        try (var files = Files.list(work.resolve("memory"))) {
            shard = files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        Files.writeString(shard, Cli.entity("Forged", "x") + "\n");
        Cli.git(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "forged");
        Cli.git(work, "push", "-q", "origin", "main");
        Cli.Run verify = alice.run("verify");
        assertThat(verify.code()).as("%s", verify).isEqualTo(6);
        assertThat(verify.out()).contains("memory/*.jsonl on main");
    }

    @Test
    void helpAndVersionWorkEverywhereAndListTheExitCodes() {
        for (String command : List.of("sync", "backup", "restore", "merge", "verify", "status", "demo",
                "install-schedule", "uninstall-schedule")) {
            Cli.Run help = alice.run(command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).contains("Usage: memory-backup " + command).contains("Exit codes:")
                    .contains("5   another sync held the lock");
            Cli.Run version = alice.run(command, "--version");
            assertThat(version.code()).isZero();
            assertThat(version.out()).startsWith("memory-backup 0.1.0-SNAPSHOT");
        }
    }

    @Test
    void theEarlierToolsFlagsStillWork() throws Exception {
        Path file = alice.home.resolve("legacy-memory.jsonl");
        Files.writeString(file, Cli.entity("Ada", "person", "x") + "\n");
        Cli.Run run = alice.run("--backup", "--file", file.toString(), "--repo", "file://" + remote, "--host", "old-host");
        assertThat(run.code()).as("%s", run).isZero();
        assertThat(run.err()).contains("deprecated").hasLineCount(1);
        assertThat(remoteRefs()).contains("refs/heads/replicas/old-host");
    }

    @Test
    void theLauncherRunsTheJarAndExplainsAMissingOne() {
        Cli.Run version = alice.launcher("--version");
        assertThat(version.code()).as("%s", version).isZero();
        assertThat(version.out()).startsWith("memory-backup");
        alice.env.put("MEMORY_BACKUP_JAR_UNUSED", "x");
        List<String> cmd = List.of(System.getProperty("memoryBackup.launcher", "../bin/memory-backup"), "--version");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("MEMORY_BACKUP_JAR", tmp.resolve("absent.jar").toString());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).isEqualTo(1);
            assertThat(out).contains("absent.jar is missing").contains("mvnw -q -B package -DskipTests");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anEmptiedMemoryFileExitsSevenChangingNothingUntilAllowed() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            lines.add(Cli.entity("E" + i, "thing", "observation " + i));
        }
        alice.write(lines.toArray(String[]::new));
        assertThat(alice.run("sync").code()).isZero();
        assertThat(bob.run("restore").code()).isZero();
        Path file = alice.home.resolve("memory.jsonl");
        Files.write(file, new byte[0]);
        List<String> refs = remoteRefs();

        Cli.Run refused = alice.run("sync", "--json");
        assertThat(refused.code()).as("%s", refused).isEqualTo(7);
        assertThat(refused.json().get("kind").asText()).isEqualTo("MASS_DELETION");
        assertThat(refused.json().get("message").asText()).contains(file.toString()).contains("delete 6 of the 6 entities")
                .contains("--allow-mass-deletion");
        assertThat(alice.run("backup").code()).isEqualTo(7);
        Cli.Run status = alice.run("status");
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).contains("refused:").contains("--allow-mass-deletion");
        assertThat(Files.size(file)).isZero();
        assertThat(remoteRefs()).isEqualTo(refs);
        assertThat(alice.run("sync", "--help").out()).contains("--allow-mass-deletion").contains("7   refused");

        Cli.Run allowed = alice.run("sync", "--allow-mass-deletion");
        assertThat(allowed.code()).as("%s", allowed).isZero();
        assertThat(bob.run("sync").code()).isZero();
        assertThat(bob.read()).isEmpty();
    }

    private List<String> remoteRefs() throws Exception {
        Process p = new ProcessBuilder("git", "for-each-ref", "--format=%(refname)").directory(remote.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.lines().toList();
    }
}
