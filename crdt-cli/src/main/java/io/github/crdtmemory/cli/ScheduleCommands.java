/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.internal.Redaction;
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
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code install-schedule} and {@code uninstall-schedule}: a cron entry (a marked block in the user's
 * crontab) or a systemd user timer that runs {@code memory-backup sync} with the options resolved at
 * install time. Everything is validated before anything changes; a second install changes nothing;
 * every external call ({@code crontab}, {@code systemctl}) is bounded by {@code --timeout}. A crontab
 * whose marked block is damaged is left exactly as it is (exit 3): no line that is not recognisably
 * ours is ever dropped.
 */
final class ScheduleCommands {
    static final String MARK_BEGIN = "# BEGIN memory-backup (managed by 'memory-backup install-schedule')";
    static final String MARK_END = "# END memory-backup";
    static final String UNIT = "memory-backup";
    static final String LOG_NAME = "memory-backup.log";
    /** Sets a variable for the scheduled command; cron and systemd both run it. */
    static final String ENV = "/usr/bin/env";

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
            List<String> command = new ArrayList<>(safeDirectory(env));
            command.addAll(List.of(program.toString(), "sync", "--quiet", "--log-file",
                    Launcher.safe("log file", logDir.resolve(LOG_NAME).toString())));
            command.add("--memory-file");
            command.add(Launcher.safe("memory file", w.memoryFile().toString()));
            if (shared.store != null || env.get(Environment.STORE).isPresent()) {
                String store = shared.store != null ? shared.store : env.get(Environment.STORE).get();
                if (Redaction.holdsCredentials(store)) { // an ssh user name is none
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
            if (w.keyFile().isPresent()) { // its path, never its content: the schedule must read it itself
                w.keyring(); // a key file the schedule could not use is refused now, not at every run
                command.add("--key-file");
                command.add(Launcher.safe("key file", w.keyFile().get().toString()));
            }
            PrintWriter out = spec.commandLine().getOut();
            if (!target.dryRun) {
                PrivateFiles.createDirectories(logDir);
            }
            boolean changed = target.systemd ? Systemd.install(env, command, every, target.dryRun, out, shared.timeout)
                    : Cron.install(when, command, target.dryRun, out, shared.timeout);
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
         * {@code /usr/bin/env MEMORY_BACKUP_SAFE_DIRECTORY=<path>} when that variable is set now, so the
         * scheduled runs (which do not inherit this shell's environment) trust the same repository; else
         * nothing. {@code *} is refused: a shell would expand it.
         */
        private static List<String> safeDirectory(Environment env) {
            return env.get(Environment.SAFE_DIRECTORY).map(v -> List.of(ENV, Environment.SAFE_DIRECTORY + "="
                    + Launcher.safe(Environment.SAFE_DIRECTORY, v.strip()))).orElse(List.of());
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

        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
                defaultValue = "30s", description = "Bound on every crontab or systemctl call: 30s, 2m, 500ms. "
                        + "Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            boolean changed = target.systemd ? Systemd.uninstall(Environment.current(), target.dryRun, out, timeout)
                    : Cron.uninstall(target.dryRun, out, timeout);
            out.println(target.dryRun ? "dry run: nothing was changed" : changed ? "removed" : "not installed; nothing changed");
            out.flush();
            return ExitStatus.OK;
        }
    }

    /** The user's crontab, edited through {@code crontab -l} and {@code crontab -}. */
    static final class Cron {
        /**
         * The line install writes: five time fields, perhaps {@code /usr/bin/env} with the safe directory,
         * the launcher, then {@code sync --quiet --log-file}.
         */
        private static final Pattern OURS = Pattern.compile("(\\S+ ){5}(" + Pattern.quote(ENV) + " "
                + Environment.SAFE_DIRECTORY + "=\\S+ )?\\S+ sync --quiet --log-file \\S+( \\S+)*");

        private Cron() {
        }

        static boolean install(String when, List<String> command, boolean dryRun, PrintWriter out, Duration timeout) {
            String current = read(timeout);
            String block = MARK_BEGIN + "\n" + when + " " + String.join(" ", command) + "\n" + MARK_END + "\n";
            String next = without(current) + block;
            return write(current, next, dryRun, out, timeout);
        }

        static boolean uninstall(boolean dryRun, PrintWriter out, Duration timeout) {
            String current = read(timeout);
            return write(current, without(current), dryRun, out, timeout);
        }

        private static boolean write(String current, String next, boolean dryRun, PrintWriter out, Duration timeout) {
            if (next.equals(current)) {
                return false;
            }
            if (dryRun) {
                out.println("would set the crontab to:");
                out.print(next);
                return true;
            }
            List<String> cmd = List.of("crontab", "-");
            ExternalCommand.Result r = ExternalCommand.run(cmd, next, timeout);
            if (r.exitCode() != 0) {
                throw ExternalCommand.failure(cmd, "exit " + r.exitCode() + ": " + r.stderr().strip());
            }
            return true;
        }

        private static String read(Duration timeout) {
            List<String> cmd = List.of("crontab", "-l");
            ExternalCommand.Result r = ExternalCommand.run(cmd, null, timeout);
            if (r.exitCode() != 0) {
                if (r.stderr().toLowerCase(java.util.Locale.ROOT).contains("no crontab")) {
                    return "";
                }
                throw ExternalCommand.failure(cmd, "exit " + r.exitCode() + ": " + r.stderr().strip());
            }
            String s = r.stdout();
            return s.isEmpty() || s.endsWith("\n") ? s : s + "\n";
        }

        /**
         * The crontab without our block; every other line is kept as it was. Only one well-formed block
         * is removed: a begin marker, at most one line of ours ({@link #OURS}), an end marker. Anything
         * else around a marker (a begin without an end, an end without a begin, a second begin, a second
         * block, a foreign line inside) is damage: nothing is changed, and the failure (exit 3) says
         * which line to fix.
         */
        static String without(String crontab) {
            String[] lines = crontab.split("\n", -1);
            int begin = -1;
            int end = -1;
            for (int i = 0; i < lines.length; i++) {
                if (isMarker(lines[i], MARK_BEGIN)) {
                    if (begin >= 0) {
                        throw damaged(i, end >= 0 ? "a second memory-backup block begins" : "a begin marker inside the "
                                + "block that begins at line " + (begin + 1) + " (its end marker is missing)");
                    }
                    begin = i;
                } else if (isMarker(lines[i], MARK_END)) {
                    if (begin < 0 || end >= 0) {
                        throw damaged(i, "an end marker without a begin marker before it");
                    }
                    end = i;
                }
            }
            if (begin >= 0 && end < 0) {
                throw damaged(begin, "a begin marker without an end marker");
            }
            for (int i = begin + 1; begin >= 0 && i < end; i++) {
                if (i > begin + 1 || !OURS.matcher(lines[i]).matches()) {
                    throw damaged(i, "a line inside the memory-backup block that install-schedule did not write");
                }
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < lines.length; i++) {
                if (begin < 0 || i < begin || i > end) {
                    out.append(lines[i]).append('\n');
                }
            }
            String s = out.toString();
            return s.endsWith("\n\n") || s.equals("\n") ? s.substring(0, s.length() - 1) : s;
        }

        private static boolean isMarker(String line, String marker) {
            // the first words of the marker, so an edited or older marker still counts as one
            String head = marker.substring(0, marker.indexOf("memory-backup") + "memory-backup".length());
            String l = line.strip();
            return l.equals(head) || l.startsWith(head + " ");
        }

        private static CommandFailure damaged(int index, String what) {
            return CommandFailure.badInput("the crontab's memory-backup block is damaged at line " + (index + 1) + ": "
                    + what + "; nothing was changed. Fix it by hand with 'crontab -e': keep your own lines, remove "
                    + "the lines from '" + MARK_BEGIN + "' to '" + MARK_END + "' (or add the missing marker), then "
                    + "run the command again");
        }
    }

    /** A systemd user service and timer in {@code ~/.config/systemd/user}. */
    static final class Systemd {
        private Systemd() {
        }

        static Path unitDir(Environment env) {
            return env.home().resolve(".config/systemd/user");
        }

        static boolean install(Environment env, List<String> command, int every, boolean dryRun, PrintWriter out,
                               Duration timeout) throws IOException {
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
            boolean enabled = same && systemctl(List.of("is-enabled", UNIT + ".timer"), true, timeout).exitCode() == 0;
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
            systemctl(List.of("daemon-reload"), false, timeout);
            systemctl(List.of("enable", "--now", UNIT + ".timer"), false, timeout);
            return true;
        }

        static boolean uninstall(Environment env, boolean dryRun, PrintWriter out, Duration timeout)
                throws IOException {
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
            systemctl(List.of("disable", "--now", UNIT + ".timer"), true, timeout);
            Files.deleteIfExists(timerPath);
            Files.deleteIfExists(servicePath);
            systemctl(List.of("daemon-reload"), false, timeout);
            return true;
        }

        private static Optional<String> content(Path p) throws IOException {
            return Files.exists(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8)) : Optional.empty();
        }

        private static ExternalCommand.Result systemctl(List<String> args, boolean mayFail, Duration timeout) {
            List<String> cmd = new ArrayList<>(List.of("systemctl", "--user"));
            cmd.addAll(args);
            ExternalCommand.Result r = ExternalCommand.run(cmd, null, timeout);
            if (r.exitCode() != 0 && !mayFail) {
                throw ExternalCommand.failure(cmd, "exit " + r.exitCode() + ": " + r.stderr().strip());
            }
            return r;
        }
    }
}
