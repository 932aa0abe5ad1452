/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store URL whose password holds a quote or an unencoded {@code @} is printed by no command: not
 * echoed by {@code install-schedule}, not in an error, not in the log file's header.
 */
class SecretsIT {
    private static final String SECRET = "s3cr3t-Tok3n-QZX";
    /** Passwords the redaction once missed: a quote (printed whole) and unencoded {@code @} (tail printed). */
    private static final List<String> STORES = List.of(
            "git+https://backup:it's-" + SECRET + "@127.0.0.1:1/memory.git",
            "git+https://backup:p@ss@" + SECRET + "@127.0.0.1:1/memory.git");

    @TempDir
    Path tmp;

    @Test
    void installScheduleNeverEchoesTheCredential() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("app/bin"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path launcher = bin.resolve("memory-backup");
        Files.writeString(launcher, "#!/bin/sh\nexit 0\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String store : STORES) {
            Cli cli = new Cli(Files.createDirectories(tmp.resolve("home-" + STORES.indexOf(store))));
            cli.env.put("MEMORY_FILE_PATH", cli.home.resolve("memory.jsonl").toString());
            cli.env.put("MEMORY_BACKUP_REPLICA", "tester");
            Cli.Run byOption = cli.run("install-schedule", "--dry-run", "--launcher", launcher.toString(),
                    "--store", store);
            cli.env.put("MEMORY_BACKUP_STORE", store);
            Cli.Run byEnvironment = cli.run("install-schedule", "--dry-run", "--launcher", launcher.toString());
            for (Cli.Run r : List.of(byOption, byEnvironment)) {
                assertThat(r.code()).as("%s", r).isEqualTo(ExitStatus.USAGE);
                assertThat(r.err()).as("%s", r).contains("credentials").contains("***@127.0.0.1:1/memory.git");
                assertThat(r.out() + r.err()).as("%s", r).doesNotContain(SECRET);
            }
        }
    }

    /** An ssh user name authenticates nothing: the documented {@code git+ssh://git@host/...} store is scheduled. */
    @Test
    void installScheduleAcceptsAnSshUserName() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("app/bin"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path launcher = bin.resolve("memory-backup");
        Files.writeString(launcher, "#!/bin/sh\nexit 0\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Cli cli = new Cli(Files.createDirectories(tmp.resolve("home-ssh")));
        cli.env.put("MEMORY_FILE_PATH", cli.home.resolve("memory.jsonl").toString());
        cli.env.put("MEMORY_BACKUP_REPLICA", "tester");
        cli.env.put("MEMORY_BACKUP_STORE", "git+ssh://git@backup-host/memory.git");
        Path crontab = Files.createDirectories(tmp.resolve("fakebin")).resolve("crontab"); // an empty crontab
        Files.writeString(crontab, "#!/bin/sh\necho 'no crontab for tester' >&2\nexit 1\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(crontab, PosixFilePermissions.fromString("rwx------"));
        cli.env.put("PATH", crontab.getParent() + ":" + System.getenv("PATH"));
        Cli.Run r = cli.run("install-schedule", "--dry-run", "--launcher", launcher.toString());
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).as("%s", r).contains("--store git+ssh://git@backup-host/memory.git");
    }

    @Test
    void errorsAndTheLogNeverHoldTheCredential() throws Exception {
        for (String store : STORES) {
            Cli cli = new Cli(Files.createDirectories(tmp.resolve("sync-" + STORES.indexOf(store))));
            cli.env.put("MEMORY_BACKUP_REPLICA", "tester");
            cli.write(Cli.entity("a", "t", "x"));
            Path log = cli.home.resolve("logs/memory-backup.log");
            Cli.Run r = cli.run("sync", "--memory-file", cli.home.resolve("memory.jsonl").toString(), "--store", store,
                    "--timeout", "10s", "--log-file", log.toString(), "--json");
            assertThat(r.code()).as("%s", r).isEqualTo(ExitStatus.STORE);
            String logged = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(logged).as(logged).contains("***@127.0.0.1:1/memory.git").doesNotContain(SECRET);
            assertThat(r.out() + r.err()).as("%s", r).doesNotContain(SECRET);
        }
    }
}
