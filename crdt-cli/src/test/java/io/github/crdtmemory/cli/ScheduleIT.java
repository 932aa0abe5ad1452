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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code install-schedule} against a fake {@code crontab} and {@code systemctl} first on the PATH, so
 * the real schedule of whoever runs the tests is never touched.
 */
class ScheduleIT {
    private static final String FAKE_CRONTAB = """
            #!/bin/sh
            echo "$*" >> "$FAKE_CRONTAB.calls"
            case "$1" in
              -l) if [ -f "$FAKE_CRONTAB" ]; then cat "$FAKE_CRONTAB"; else echo "no crontab for tester" >&2; exit 1; fi ;;
              -) if [ -f "$FAKE_CRONTAB.hang" ]; then exec sleep 60; fi; cat > "$FAKE_CRONTAB" ;;
              *) exit 2 ;;
            esac
            """;
    private static final String FAKE_SYSTEMCTL = """
            #!/bin/sh
            echo "$*" >> "$FAKE_SYSTEMCTL.calls"
            case "$2" in
              is-enabled) [ -f "$FAKE_SYSTEMCTL.enabled" ] ;;
              enable) touch "$FAKE_SYSTEMCTL.enabled" ;;
              disable) rm -f "$FAKE_SYSTEMCTL.enabled" ;;
              *) exit 0 ;;
            esac
            """;

    @TempDir
    Path tmp;

    Cli cli;
    Path crontab;
    Path systemctl;
    Path launcher;

    @BeforeEach
    void setUp() throws Exception {
        Path fakebin = Files.createDirectories(tmp.resolve("fakebin"));
        write(fakebin.resolve("crontab"), FAKE_CRONTAB, "rwx------");
        write(fakebin.resolve("systemctl"), FAKE_SYSTEMCTL, "rwx------");
        cli = new Cli(Files.createDirectories(tmp.resolve("home")));
        crontab = tmp.resolve("crontab.txt");
        systemctl = tmp.resolve("systemctl");
        cli.env.put("PATH", fakebin + ":" + System.getenv("PATH"));
        cli.env.put("FAKE_CRONTAB", crontab.toString());
        cli.env.put("FAKE_SYSTEMCTL", systemctl.toString());
        cli.env.put("MEMORY_FILE_PATH", cli.home.resolve("memory.jsonl").toString());
        Path bin = Files.createDirectories(tmp.resolve("app/bin"));
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        launcher = bin.resolve("memory-backup");
        write(launcher, "#!/bin/sh\nexit 0\n", "rwxr-xr-x");
    }

    private static void write(Path p, String content, String mode) throws Exception {
        Files.writeString(p, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    private List<String> calls(Path fake) throws Exception {
        Path log = fake.resolveSibling(fake.getFileName() + ".calls");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void installsOnceIsIdempotentAndKeepsOtherEntries() throws Exception {
        Files.writeString(crontab, "# mine\n0 3 * * * /usr/bin/true\n");
        Cli.Run first = cli.run("install-schedule", "--launcher", launcher.toString());
        assertThat(first.code()).as("%s", first).isZero();
        String installed = Files.readString(crontab);
        io.github.crdtmemory.core.ReplicaId replica = io.github.crdtmemory.core.ReplicaId.of(Files.readString(
                cli.home.resolve(".local/state/memory-backup/replica-id")).strip());
        String every15 = ScheduleCommands.Install.cronTime(15, replica);
        assertThat(every15).as("this machine's minute offset").matches("\\d{1,2}-59/15 \\* \\* \\* \\*");
        assertThat(installed).startsWith("# mine\n0 3 * * * /usr/bin/true\n")
                .contains(ScheduleCommands.MARK_BEGIN)
                .contains(every15 + " " + launcher + " sync --quiet --log-file " + cli.home
                        + "/.cache/mcp-memory/logs/memory-backup.log --memory-file " + cli.home + "/memory.jsonl")
                .endsWith(ScheduleCommands.MARK_END + "\n");
        Path logs = cli.home.resolve(".cache/mcp-memory/logs");
        assertThat(Files.getPosixFilePermissions(logs)).isEqualTo(PosixFilePermissions.fromString("rwx------"));

        Cli.Run second = cli.run("install-schedule", "--launcher", launcher.toString());
        assertThat(second.code()).isZero();
        assertThat(second.out()).contains("already installed");
        assertThat(Files.readString(crontab)).isEqualTo(installed);
        assertThat(calls(crontab)).containsExactly("-l", "-", "-l");

        Cli.Run hourly = cli.run("install-schedule", "--launcher", launcher.toString(), "--every", "120");
        assertThat(hourly.code()).isZero();
        assertThat(Files.readString(crontab)).contains(ScheduleCommands.Install.cronTime(120, replica) + " ")
                .doesNotContain("/15");
        assertThat(Files.readString(crontab).split(java.util.regex.Pattern.quote(ScheduleCommands.MARK_BEGIN), -1)).hasSize(2);

        Cli.Run removed = cli.run("uninstall-schedule");
        assertThat(removed.code()).isZero();
        assertThat(Files.readString(crontab)).isEqualTo("# mine\n0 3 * * * /usr/bin/true\n");
        assertThat(cli.run("uninstall-schedule").out()).contains("not installed");
    }

    /**
     * A block whose end marker is missing (a hand edit, a crash of another tool) is followed by the
     * user's own jobs: today's code dropped every line after the begin marker.
     */
    @Test
    void aDamagedBlockChangesNothingAndSaysHowToFixIt() throws Exception {
        String ours = "7-59/15 * * * * " + launcher + " sync --quiet --log-file /x/memory-backup.log";
        List<String> damaged = List.of(
                "# mine\n" + ScheduleCommands.MARK_BEGIN + "\n" + ours + "\n0 3 * * * /usr/bin/backup-photos\n",
                "0 3 * * * /usr/bin/true\n" + ScheduleCommands.MARK_END + "\n0 4 * * * /usr/bin/other\n",
                ScheduleCommands.MARK_BEGIN + "\n" + ours + "\n" + ScheduleCommands.MARK_BEGIN + "\n" + ours + "\n"
                        + ScheduleCommands.MARK_END + "\n0 5 * * * /usr/bin/mine\n",
                ScheduleCommands.MARK_BEGIN + "\n" + ours + "\n" + ScheduleCommands.MARK_END + "\n"
                        + ScheduleCommands.MARK_BEGIN + "\n" + ours + "\n" + ScheduleCommands.MARK_END + "\n",
                ScheduleCommands.MARK_BEGIN + "\n" + ours + "\n0 6 * * * /usr/bin/mine-inside\n"
                        + ScheduleCommands.MARK_END + "\n");
        for (String before : damaged) {
            Files.writeString(crontab, before);
            for (String[] args : List.of(new String[] {"uninstall-schedule"},
                    new String[] {"install-schedule", "--launcher", launcher.toString()})) {
                Cli.Run run = cli.run(args);
                assertThat(run.code()).as("%s on %s: %s", args[0], before, run).isEqualTo(3);
                assertThat(run.err()).contains("damaged").contains("crontab -e").contains("nothing was changed");
                assertThat(Files.readString(crontab)).as("%s on %s", args[0], before).isEqualTo(before);
            }
        }
        assertThat(calls(crontab)).as("only read, never written").containsOnly("-l");
    }

    /** Today's code waited a fixed 20 s for crontab whatever --timeout said. */
    @Test
    void theCrontabCallsHonourTheTimeout() throws Exception {
        Files.writeString(crontab.resolveSibling(crontab.getFileName() + ".hang"), "");
        for (String[] args : List.of(new String[] {"install-schedule", "--launcher", launcher.toString(),
                "--timeout", "1s"}, new String[] {"uninstall-schedule", "--timeout", "1s"})) {
            Files.writeString(crontab, "# mine\n" + ScheduleCommands.MARK_BEGIN + "\n" + ScheduleCommands.MARK_END + "\n");
            long start = System.nanoTime();
            Cli.Run run = cli.run(args);
            long seconds = java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertThat(run.code()).as("%s", run).isEqualTo(4);
            assertThat(run.err()).contains("crontab -: timed out after 1000 ms").contains("[SCHEDULER]");
            assertThat(seconds).as("%s ends within its --timeout, not 20 s later", args[0]).isLessThan(12);
        }
    }

    @Test
    void aDryRunChangesNothing() throws Exception {
        Cli.Run dry = cli.run("install-schedule", "--launcher", launcher.toString(), "--dry-run");
        assertThat(dry.code()).as("%s", dry).isZero();
        assertThat(dry.out()).contains("would set the crontab").contains(launcher + " sync");
        assertThat(crontab).doesNotExist();
        assertThat(calls(crontab)).containsExactly("-l");
        assertThat(cli.home.resolve(".cache/mcp-memory/logs")).doesNotExist();
        assertThat(cli.home.resolve(".local/state")).as("not even a replica id is made").doesNotExist();
        assertThat(dry.out()).contains("no replica id yet");
    }

    @Test
    void refusesAnUnsafeLauncherAndChangesNothing() throws Exception {
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxrwxrwx"));
        Cli.Run writable = cli.run("install-schedule", "--launcher", launcher.toString());
        assertThat(writable.code()).isEqualTo(2);
        assertThat(writable.err()).contains("world-writable");

        Path spaced = Files.createDirectories(tmp.resolve("my app"));
        write(spaced.resolve("memory-backup"), "#!/bin/sh\n", "rwxr-xr-x");
        Cli.Run space = cli.run("install-schedule", "--launcher", spaced.resolve("memory-backup").toString());
        assertThat(space.code()).isEqualTo(2);
        assertThat(space.err()).contains("unsafe launcher path");

        Path semicolon = Files.createDirectories(tmp.resolve("x;touch PWNED"));
        write(semicolon.resolve("memory-backup"), "#!/bin/sh\n", "rwxr-xr-x");
        assertThat(cli.run("install-schedule", "--launcher", semicolon.resolve("memory-backup").toString()).code())
                .isEqualTo(2);

        Path percent = Files.createDirectories(tmp.resolve("100%"));
        write(percent.resolve("memory-backup"), "#!/bin/sh\n", "rwxr-xr-x");
        assertThat(cli.run("install-schedule", "--launcher", percent.resolve("memory-backup").toString()).code())
                .isEqualTo(2);

        write(launcher, "#!/bin/sh\n", "rw-r--r--");
        Cli.Run notExecutable = cli.run("install-schedule", "--launcher", launcher.toString());
        assertThat(notExecutable.code()).isEqualTo(2);
        assertThat(notExecutable.err()).contains("not executable");

        assertThat(cli.run("install-schedule", "--launcher", tmp.resolve("absent").toString()).code()).isEqualTo(2);
        assertThat(cli.run("install-schedule").code()).as("no launcher known").isEqualTo(2);
        assertThat(cli.run("install-schedule", "--launcher", launcher.toString(), "--store",
                "git+https://u:secret@example.com/x.git").code()).isEqualTo(2);
        assertThat(crontab).doesNotExist();
        assertThat(calls(crontab)).isEmpty();
    }

    /** Today's code dropped the variable: scheduled runs then failed as DUBIOUS_OWNERSHIP. */
    @Test
    void theSafeDirectoryIsCarriedIntoTheSchedule() throws Exception {
        cli.env.put("MEMORY_BACKUP_SAFE_DIRECTORY", "/srv/shared/memory.git");
        Cli.Run cron = cli.run("install-schedule", "--launcher", launcher.toString());
        assertThat(cron.code()).as("%s", cron).isZero();
        assertThat(Files.readString(crontab)).contains(" /usr/bin/env MEMORY_BACKUP_SAFE_DIRECTORY=/srv/shared/memory.git "
                + launcher + " sync --quiet");
        assertThat(cli.run("install-schedule", "--launcher", launcher.toString()).out()).contains("already installed");
        assertThat(cli.run("uninstall-schedule").code()).isZero();
        assertThat(Files.readString(crontab)).isEmpty();

        Cli.Run systemd = cli.run("install-schedule", "--systemd", "--launcher", launcher.toString());
        assertThat(systemd.code()).as("%s", systemd).isZero();
        assertThat(Files.readString(cli.home.resolve(".config/systemd/user/memory-backup.service")))
                .contains("ExecStart=/usr/bin/env MEMORY_BACKUP_SAFE_DIRECTORY=/srv/shared/memory.git " + launcher + " sync");

        cli.env.put("MEMORY_BACKUP_SAFE_DIRECTORY", "*");
        Cli.Run star = cli.run("install-schedule", "--launcher", launcher.toString());
        assertThat(star.code()).as("a shell would expand it").isEqualTo(2);
    }

    /** Without it, every scheduled sync of an encrypted store failed with KEY_REQUIRED (exit 9). */
    @Test
    void theKeyFileIsCarriedIntoTheScheduleByPathAndCheckedFirst() throws Exception {
        Path key = cli.home.resolve("memory.key");
        io.github.crdtmemory.seal.KeyFile.create(key, io.github.crdtmemory.seal.Keyring.generate());
        cli.env.put("MEMORY_BACKUP_KEY_FILE", key.toString());
        Cli.Run dry = cli.run("install-schedule", "--launcher", launcher.toString(), "--dry-run");
        assertThat(dry.code()).as("%s", dry).isZero();
        assertThat(dry.out()).contains("--key-file " + key).doesNotContain(Files.readString(key).lines()
                .filter(l -> l.startsWith("key ")).findFirst().orElseThrow().split(" ")[2]);
        cli.env.put("MEMORY_BACKUP_KEY_FILE", cli.home.resolve("missing.key").toString());
        Cli.Run missing = cli.run("install-schedule", "--launcher", launcher.toString(), "--dry-run");
        assertThat(missing.code()).as("%s", missing).isEqualTo(ExitStatus.KEY);
    }

    /** Today's code checked the link's directory, not the directory of the program it runs. */
    @Test
    void aLauncherLinkIntoAWritableDirectoryIsRefused() throws Exception {
        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path program = open.resolve("memory-backup");
        write(program, "#!/bin/sh\nexit 0\n", "rwxr-xr-x");
        Path link = launcher.resolveSibling("linked-memory-backup");
        Files.createSymbolicLink(link, program);
        Cli.Run run = cli.run("install-schedule", "--launcher", link.toString());
        assertThat(run.code()).as("%s", run).isEqualTo(2);
        assertThat(run.err()).contains(open + " is group- or world-writable");
        assertThat(crontab).doesNotExist();
    }

    @Test
    void theLauncherInstallsItself() throws Exception {
        Cli.Run run = cli.launcher("install-schedule", "--dry-run");
        assertThat(run.code()).as("%s", run).isZero();
        assertThat(run.out()).contains("/bin/memory-backup sync --quiet");
    }

    @Test
    void systemdUserTimerInstallsOnceAndUninstalls() throws Exception {
        Cli.Run first = cli.run("install-schedule", "--systemd", "--launcher", launcher.toString(), "--every", "30");
        assertThat(first.code()).as("%s", first).isZero();
        Path units = cli.home.resolve(".config/systemd/user");
        assertThat(Files.readString(units.resolve("memory-backup.service")))
                .contains("ExecStart=" + launcher + " sync --quiet --log-file");
        assertThat(Files.readString(units.resolve("memory-backup.timer"))).contains("OnUnitActiveSec=30min");
        assertThat(calls(systemctl)).containsExactly("--user daemon-reload", "--user enable --now memory-backup.timer");

        Cli.Run second = cli.run("install-schedule", "--systemd", "--launcher", launcher.toString(), "--every", "30");
        assertThat(second.out()).contains("already installed");
        assertThat(calls(systemctl)).hasSize(3).last().isEqualTo("--user is-enabled memory-backup.timer");

        assertThat(cli.run("uninstall-schedule", "--systemd").code()).isZero();
        assertThat(units.resolve("memory-backup.timer")).doesNotExist();
        assertThat(calls(systemctl)).contains("--user disable --now memory-backup.timer");
        assertThat(crontab).doesNotExist();
    }
}
