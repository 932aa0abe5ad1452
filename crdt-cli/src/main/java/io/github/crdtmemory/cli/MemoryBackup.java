/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.internal.Redaction;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code memory-backup} command line: backs up and merges MCP memory files through a replica store.
 * {@link #main} exits with the codes of {@code ExitStatus}; {@link #run} returns them, for embedding.
 */
@Command(name = "memory-backup", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Back up and merge MCP memory files across machines, without losing a write.",
            "Each machine is a replica; a store (a git remote by default) holds every replica's state, and "
                    + "'sync' merges them all into the memory file."},
        subcommands = {EngineCommands.Sync.class, EngineCommands.Backup.class, EngineCommands.Restore.class,
            MergeCommand.class, VerifyCommand.class, StatusCommand.class, HistoryCommand.class, DiffCommand.class,
            DemoCommand.class, KeyCommands.Keygen.class, KeyCommands.Rekey.class,
            ScheduleCommands.Install.class, ScheduleCommands.Uninstall.class})
public final class MemoryBackup implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /**
     * Runs the command and exits the JVM with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // a helper thread out of heap ends the process (its git children too): never a command half-alive
        Thread.UncaughtExceptionHandler otherwise = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof OutOfMemoryError) {
                System.exit(outOfMemory(HeapExhausted.failure(memoryFile(args)), false));
            } else if (otherwise != null) {
                otherwise.uncaughtException(thread, e);
            } else { // what the JVM prints without a handler
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                e.printStackTrace(System.err);
            }
        });
        System.exit(run(args));
    }

    /**
     * Runs the command with this process's standard streams and returns its exit code (0 success, 2 usage,
     * 3 bad input, 4 store or git failure, 5 lock timeout, 6 verification failure, 7 mass deletion refused,
     * 8 done but replicas quarantined, 9 encryption keys refused, 1 internal error, out of memory included: reported in one line
     * naming the memory file's size and {@code MEMORY_BACKUP_JAVA_OPTS}, never as a stack trace).
     * With {@code --log-file} it redirects {@code System.out} and {@code System.err} to the log for good,
     * and it sets SLF4J simple's system properties: meant for a process of its own, not for a host
     * application.
     *
     * @param args the command line
     * @return the exit code
     */
    public static int run(String[] args) {
        LegacyFlags.Translation t = LegacyFlags.translate(args);
        String[] argv = t.args();
        boolean json = List.of(argv).contains("--json");
        Path logFile = logFile(argv);
        if (logFile != null) {
            try {
                PrintStream log = LogFile.open(logFile);
                System.setOut(log);
                System.setErr(log);
                log.println("=== " + Instant.now() + " memory-backup " + Redaction.redact(String.join(" ", argv)));
            } catch (IOException e) {
                System.err.println("memory-backup: cannot open the log file " + logFile + ": " + e);
                return ExitStatus.BAD_INPUT;
            }
        }
        configureLogging(argv);
        if (t.notice() != null) {
            System.err.println(t.notice());
        }
        CommandLine cl = new CommandLine(new MemoryBackup());
        Charset console = Charset.defaultCharset(); // as System.out's own writer would
        cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, console), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, console), true));
        Map<String, String> codes = new LinkedHashMap<>();
        for (String line : ExitStatus.HELP) {
            int colon = line.indexOf(':');
            codes.put(line.substring(0, colon), line.substring(colon + 1));
        }
        exitCodes(cl, codes);
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            ExitStatus.Failure f = ExitStatus.classify(ex);
            PrintWriter err = line.getErr();
            err.println("memory-backup: " + f.message() + " [" + f.kind() + "]");
            if (f.code() == ExitStatus.INTERNAL || List.of(argv).contains("-v") || List.of(argv).contains("--verbose")) {
                StringWriter trace = new StringWriter();
                ex.printStackTrace(new PrintWriter(trace));
                err.print(Redaction.redact(trace.toString()));
            }
            err.flush();
            if (json) {
                line.getOut().println(errorJson(f));
                line.getOut().flush();
            }
            return f.code();
        });
        try {
            return cl.execute(argv);
        } catch (OutOfMemoryError e) {
            int code = outOfMemory(HeapExhausted.failure(memoryFile(argv)), json);
            if (List.of(argv).contains("-v") || List.of(argv).contains("--verbose")) { // where it ran out
                e.printStackTrace(System.err);
            }
            return code;
        }
    }

    /** Reports running out of heap: one line, no stack trace (the trace would only name where it ran out). */
    private static int outOfMemory(ExitStatus.Failure f, boolean json) {
        System.err.println("memory-backup: " + f.message() + " [" + f.kind() + "]");
        System.err.flush();
        if (json) {
            System.out.println(errorJson(f));
            System.out.flush();
        }
        return f.code();
    }

    /** The memory file the command line names, as {@code Workspace} resolves it: for messages only. */
    private static Path memoryFile(String[] argv) {
        Path given = option(argv, "--memory-file");
        if (given != null) {
            return given.toAbsolutePath().normalize();
        }
        Environment env = Environment.current();
        return env.get(Environment.MEMORY_FILE_PATH).map(v -> Path.of(v).toAbsolutePath().normalize())
                .orElse(env.defaultMemoryFile());
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitStatus.USAGE;
    }

    private static void exitCodes(CommandLine cl, Map<String, String> codes) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        cl.getSubcommands().values().forEach(sub -> exitCodes(sub, codes));
    }

    private static @Nullable Path logFile(String[] argv) {
        return option(argv, "--log-file");
    }

    private static @Nullable Path option(String[] argv, String name) {
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals(name) && i + 1 < argv.length) {
                return Path.of(argv[i + 1]);
            }
            if (argv[i].startsWith(name + "=")) {
                return Path.of(argv[i].substring(name.length() + 1));
            }
        }
        return null;
    }

    /** SLF4J simple: warnings by default, errors only with -q, debug with -v; to stderr, with time. */
    private static void configureLogging(String[] argv) {
        List<String> a = List.of(argv);
        String level = a.contains("-v") || a.contains("--verbose") ? "debug"
                : a.contains("-q") || a.contains("--quiet") ? "error" : "warn";
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    }

    private static String errorJson(ExitStatus.Failure f) {
        StringWriter w = new StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("format", "crdt-memory-error");
            g.writeNumberField("version", 1);
            g.writeNumberField("exitCode", f.code());
            g.writeStringField("kind", f.kind());
            g.writeStringField("message", f.message());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return w.toString();
    }
}
