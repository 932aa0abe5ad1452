package io.github.crdtmemory.cli;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.store.Redaction;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code install-schedule} and {@code uninstall-schedule}: a cron entry (a marked block in the user's
 * crontab) or a systemd user timer that runs {@code memory-backup sync} with the options resolved at
 * install time. Everything is validated before anything changes; a second install changes nothing;
 * every external call has a timeout.
 */
final class ScheduleCommands {
    static final String MARK_BEGIN = "# BEGIN memory-backup (managed by 'memory-backup install-schedule')";
    static final String MARK_END = "# END memory-backup";
    static final String UNIT = "memory-backup";
    static final String LOG_NAME = "memory-backup.log";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private ScheduleCommands() {
    }

    /** What both commands share: where, how, and whether to only print. */
    static final class Target {
        @Option(names = "--systemd", description = "Use a systemd user timer instead of cron.")
        boolean systemd;

        @Option(names = "--dry-run", description = "Print what would change, and change nothing.")
        boolean dryRun;
    }

    @Command(name = "install-schedule", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Run 'memory-backup sync' on a schedule: a cron entry (default every 15 minutes) or, with "
                    + "--systemd, a user timer. Logs go to ~/.cache/mcp-memory/logs (0700), appended and rotated. "
                    + "Idempotent.")
    static final class Install implements Callable<Integer> {
        @Mixin
        Target target;

        @Mixin
        SharedOptions shared;

        @Option(names = "--every", paramLabel = "MINUTES", defaultValue = "15",
                description = "Minutes between runs: 1-59, or a whole number of hours in minutes (60, 120, ...). "
                        + "Default: ${DEFAULT-VALUE}.")
        int every;

        @Option(names = "--launcher", paramLabel = "PATH",
                description = "The program the schedule runs. Default: the bin/memory-backup this was started from.")
        Path launcher;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Environment env = Environment.current();
            Path program = Launcher.check(launcher != null ? launcher : env.get("MEMORY_BACKUP_LAUNCHER")
                    .map(Path::of).orElseThrow(() -> CommandFailure.usage("no launcher known: run this through "
                            + "bin/memory-backup or pass --launcher PATH")));
            Workspace w = Workspace.resolve(shared, env);
            // a dry run makes nothing, not even the replica id whose hash fixes the minute
            Optional<ReplicaId> replica = target.dryRun ? w.knownReplica() : Optional.of(w.replica());
            String when = cronTime(every, replica.orElse(ReplicaId.of("host")));
            Path logDir = env.logDir();
            List<String> command = new ArrayList<>(List.of(program.toString(), "sync", "--quiet", "--log-file",
                    Launcher.safe("log file", logDir.resolve(LOG_NAME).toString())));
            command.add("--memory-file");
            command.add(Launcher.safe("memory file", w.memoryFile().toString()));
            if (shared.store != null || env.get(Environment.STORE).isPresent()) {
                String store = shared.store != null ? shared.store : env.get(Environment.STORE).get();
                if (!Redaction.redact(store).equals(store)) {
                    throw CommandFailure.usage("the store " + Redaction.redact(store) + " holds credentials, which a "
                            + "schedule would expose on every run's command line; use ssh keys or a credential-free URL");
                }
                command.add("--store");
                command.add(Launcher.safe("store", store));
            }
            if (shared.replica != null || env.get(Environment.REPLICA).isPresent()) {
                command.add("--replica"); // else the persisted default in the state dir, resolved at each run
                command.add(w.replica().value());
            }
            if (shared.stateDir != null) {
                command.add("--state-dir");
                command.add(Launcher.safe("state dir", w.stateRoot().toString()));
            }
            command.add("--timeout");
            command.add(shared.timeout.toMillis() + "ms");
            if (shared.maxStateSize != io.github.crdtmemory.store.StoreOptions.DEFAULT_MAX_STATE_BYTES) {
                command.add("--max-state-size");
                command.add(Long.toString(shared.maxStateSize));
            }
            PrintWriter out = spec.commandLine().getOut();
            if (!target.dryRun) {
                PrivateFiles.createDirectories(logDir);
            }
            boolean changed = target.systemd ? Systemd.install(env, command, every, target.dryRun, out)
                    : Cron.install(when, command, target.dryRun, out);
            if (replica.isEmpty()) {
                out.println("(no replica id yet: the install makes one, and its hash fixes the minute)");
            }
            out.println(target.dryRun ? "dry run: nothing was changed"
                    : changed ? "installed: " + String.join(" ", command) + (target.systemd ? "" : " (" + when + ")")
                    : "already installed; nothing changed");
            out.flush();
            return ExitStatus.OK;
        }

        /**
         * The cron time for every {@code minutes}, at a minute offset fixed per replica (from the SHA-256
         * of its id), so machines on one store do not all sync at the same minute; the same replica always
         * gets the same line, so installing twice changes nothing. A period that does not divide the hour
         * runs as {@code *}{@code /N} does (cron restarts the count every hour), only shifted.
         */
        static String cronTime(int minutes, ReplicaId replica) {
            long spread = Long.parseLong(PrivateFiles.sha256(replica.value().getBytes(StandardCharsets.UTF_8))
                    .substring(0, 8), 16);
            if (minutes == 1) {
                return "* * * * *";
            }
            if (minutes >= 2 && minutes <= 59) {
                // a period that does not divide the hour restarts at each hour, as */N does: keep the offset
                // below the hour's remainder so the runs keep */N's pattern, shifted
                int window = 60 % minutes == 0 ? minutes : 60 % minutes;
                return spread % window + "-59/" + minutes + " * * * *";
            }
            if (minutes >= 60 && minutes % 60 == 0 && minutes / 60 <= 23) {
                return spread % 60 + " */" + (minutes / 60) + " * * *";
            }
            throw CommandFailure.usage("--every must be 1-59 or a whole number of hours up to 23 (in minutes): "
                    + minutes);
        }
    }

    @Command(name = "uninstall-schedule", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = "Remove the cron entry (or, with --systemd, the user timer) that install-schedule made. "
                    + "Leaves the logs.")
    static final class Uninstall implements Callable<Integer> {
        @Mixin
        Target target;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            boolean changed = target.systemd ? Systemd.uninstall(Environment.current(), target.dryRun, out)
                    : Cron.uninstall(target.dryRun, out);
            out.println(target.dryRun ? "dry run: nothing was changed" : changed ? "removed" : "not installed; nothing changed");
            out.flush();
            return ExitStatus.OK;
        }
    }

    /** The user's crontab, edited through {@code crontab -l} and {@code crontab -}. */
    static final class Cron {
        private Cron() {
        }

        static boolean install(String when, List<String> command, boolean dryRun, PrintWriter out) {
            String current = read();
            String block = MARK_BEGIN + "\n" + when + " " + String.join(" ", command) + "\n" + MARK_END + "\n";
            String next = without(current) + block;
            return write(current, next, dryRun, out);
        }

        static boolean uninstall(boolean dryRun, PrintWriter out) {
            String current = read();
            return write(current, without(current), dryRun, out);
        }

        private static boolean write(String current, String next, boolean dryRun, PrintWriter out) {
            if (next.equals(current)) {
                return false;
            }
            if (dryRun) {
                out.println("would set the crontab to:");
                out.print(next);
                return true;
            }
            List<String> cmd = List.of("crontab", "-");
            ExternalCommand.Result r = ExternalCommand.run(cmd, next, CALL_TIMEOUT);
            if (r.exitCode() != 0) {
                throw ExternalCommand.failure(cmd, "exit " + r.exitCode() + ": " + r.stderr().strip());
            }
            return true;
        }

        private static String read() {
            List<String> cmd = List.of("crontab", "-l");
            ExternalCommand.Result r = ExternalCommand.run(cmd, null, CALL_TIMEOUT);
            if (r.exitCode() != 0) {
                if (r.stderr().toLowerCase(java.util.Locale.ROOT).contains("no crontab")) {
                    return "";
                }
                throw ExternalCommand.failure(cmd, "exit " + r.exitCode() + ": " + r.stderr().strip());
            }
            String s = r.stdout();
            return s.isEmpty() || s.endsWith("\n") ? s : s + "\n";
        }

        /** The crontab without our block; every other line is kept as it was. */
        static String without(String crontab) {
            StringBuilder out = new StringBuilder();
            boolean inside = false;
            for (String line : crontab.split("\n", -1)) {
                if (line.equals(MARK_BEGIN)) {
                    inside = true;
                } else if (inside && line.equals(MARK_END)) {
                    inside = false;
                } else if (!inside) {
                    out.append(line).append('\n');
                }
            }
            String s = out.toString();
            return s.endsWith("\n\n") || s.equals("\n") ? s.substring(0, s.length() - 1) : s;
        }
    }

    /** A systemd user service and timer in {@code ~/.config/systemd/user}. */
    static final class Systemd {
        private Systemd() {
        }

        static Path unitDir(Environment env) {
            return env.home().resolve(".config/systemd/user");
        }

        static boolean install(Environment env, List<String> command, int every, boolean dryRun, PrintWriter out)
                throws IOException {
            Path dir = unitDir(env);
            String service = "[Unit]\nDescription=memory-backup sync of the MCP memory file\n\n[Service]\n"
                    + "Type=oneshot\nExecStart=" + String.join(" ", command) + "\nTimeoutStartSec=600\n";
            String timer = "[Unit]\nDescription=Run memory-backup sync every " + every + " minutes\n\n[Timer]\n"
                    + "OnBootSec=2min\nOnUnitActiveSec=" + every + "min\nPersistent=true\n\n[Install]\n"
                    + "WantedBy=timers.target\n";
            Path servicePath = dir.resolve(UNIT + ".service");
            Path timerPath = dir.resolve(UNIT + ".timer");
            boolean same = content(servicePath).map(service::equals).orElse(false)
                    && content(timerPath).map(timer::equals).orElse(false);
            boolean enabled = same && systemctl(List.of("is-enabled", UNIT + ".timer"), true).exitCode() == 0;
            if (same && enabled) {
                return false;
            }
            if (dryRun) {
                out.println("would write " + servicePath + ":\n" + service);
                out.println("would write " + timerPath + ":\n" + timer);
                out.println("would run: systemctl --user daemon-reload; systemctl --user enable --now " + UNIT + ".timer");
                return true;
            }
            Files.createDirectories(dir);
            PrivateFiles.replace(servicePath, service.getBytes(StandardCharsets.UTF_8));
            PrivateFiles.replace(timerPath, timer.getBytes(StandardCharsets.UTF_8));
            systemctl(List.of("daemon-reload"), false);
            systemctl(List.of("enable", "--now", UNIT + ".timer"), false);
            return true;
        }

        static boolean uninstall(Environment env, boolean dryRun, PrintWriter out) throws IOException {
            Path dir = unitDir(env);
            Path servicePath = dir.resolve(UNIT + ".service");
            Path timerPath = dir.resolve(UNIT + ".timer");
            if (!Files.exists(servicePath) && !Files.exists(timerPath)) {
                return false;
            }
            if (dryRun) {
                out.println("would run: systemctl --user disable --now " + UNIT + ".timer; remove " + servicePath
                        + " and " + timerPath + "; systemctl --user daemon-reload");
                return true;
            }
            systemctl(List.of("disable", "--now", UNIT + ".timer"), true);
            Files.deleteIfExists(timerPath);
            Files.deleteIfExists(servicePath);
            systemctl(List.of("daemon-reload"), false);
            return true;
        }

        private static Optional<String> content(Path p) throws IOException {
            return Files.exists(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8)) : Optional.empty();
        }

        private static ExternalCommand.Result systemctl(List<String> args, boolean mayFail) {
            List<String> cmd = new ArrayList<>(List.of("systemctl", "--user"));
            cmd.addAll(args);
            ExternalCommand.Result r = ExternalCommand.run(cmd, null, CALL_TIMEOUT);
            if (r.exitCode() != 0 && !mayFail) {
                throw ExternalCommand.failure(cmd, "exit " + r.exitCode() + ": " + r.stderr().strip());
            }
            return r;
        }
    }
}
