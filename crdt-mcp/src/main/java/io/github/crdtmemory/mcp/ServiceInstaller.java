/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import io.github.crdtmemory.internal.PrivateFiles;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code memory-mcp-server install-service}: writes a systemd user unit
 * ({@code ~/.config/systemd/user/memory-mcp-server.service}, mode {@code 0600}) that runs this jar with
 * {@code --http} and the options resolved now (the memory file and store from the environment when not
 * given), so the service does not depend on a login shell's variables. Runs no other process: it prints
 * the {@code systemctl --user} commands that enable it. {@code --dry-run} prints the unit and writes
 * nothing; {@code --remove} deletes a unit it wrote (and nothing else). No secret is written into the
 * unit: the token stays in its file.
 */
@Command(name = "install-service", mixinStandardHelpOptions = true,
        description = "Write a systemd user unit that runs memory-mcp-server --http (one server for every client).")
final class ServiceInstaller implements Callable<Integer> {
    static final String UNIT = "memory-mcp-server.service";
    private static final String DESCRIPTION = "Description=MCP memory server over HTTP (memory-mcp-server --http)";

    @Option(names = "--port", paramLabel = "PORT", defaultValue = HttpMode.DEFAULT_PORT,
            description = "The port the service listens on (127.0.0.1). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--memory-file", paramLabel = "FILE",
            description = "The memory file. Default: $MEMORY_FILE_PATH now, else ~/.cache/mcp-memory/memory.json.")
    Path memoryFile;

    @Option(names = "--store", paramLabel = "URI", description = "Sync with this store. Default: $MEMORY_BACKUP_STORE now, else none.")
    String store;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "The state directory, if not the default.")
    Path stateDir;

    @Option(names = "--token-file", paramLabel = "FILE", description = "The token file, if not the default.")
    Path tokenFile;

    @Option(names = "--sync-every", paramLabel = "SECONDS", description = "Seconds between syncs, if not the default.")
    Long syncEvery;

    @Option(names = "--dry-run", description = "Print the unit; write nothing.")
    boolean dryRun;

    @Option(names = "--remove", description = "Remove the unit this command wrote (after "
            + "`systemctl --user disable --now " + UNIT + "`).")
    boolean remove;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        return run(Path.of(env.getOrDefault("HOME", System.getProperty("user.home"))), env, System.out);
    }

    /** Installs (or with {@code --remove} removes) the unit under {@code home}; returns the exit status. */
    int run(Path home, Map<String, String> env, PrintStream out) throws Exception {
        String unit = unit(command(env, home));
        if (dryRun) {
            out.print(unit);
            return 0;
        }
        Path dir = home.resolve(".config/systemd/user");
        Path file = dir.resolve(UNIT);
        if (Files.isSymbolicLink(file) || (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file,
                LinkOption.NOFOLLOW_LINKS))) {
            System.err.println("memory-mcp-server: refusing to touch " + file + ": not a regular file");
            return HttpMode.USAGE;
        }
        if (remove) {
            return remove(file, out);
        }
        PrivateFiles.createDirectories(dir); // missing ones 0700
        PrivateFiles.replace(file, unit.getBytes(StandardCharsets.UTF_8));
        out.println("installed: " + file);
        out.println("enable it: systemctl --user daemon-reload && systemctl --user enable --now " + UNIT);
        out.println("keep it running after logout: loginctl enable-linger $USER");
        return 0;
    }

    /** Removes the unit if this command wrote it (its description line is ours). */
    private static int remove(Path file, PrintStream out) throws java.io.IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            out.println("not installed: " + file);
            return 0;
        }
        if (!Files.readString(file, StandardCharsets.UTF_8).contains("\n" + DESCRIPTION + "\n")) {
            System.err.println("memory-mcp-server: " + file + " was not written by install-service; left as it is");
            return HttpMode.USAGE;
        }
        Files.delete(file);
        out.println("removed: " + file + " (then: systemctl --user daemon-reload)");
        return 0;
    }

    /** The service's command line, every path absolute. */
    List<String> command(Map<String, String> env, Path home) throws URISyntaxException {
        Path jar = Path.of(MemoryServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-jar", jar.toAbsolutePath().toString(), "--http", "--port", String.valueOf(port)));
        Path file = memoryFile != null ? memoryFile : env.containsKey("MEMORY_FILE_PATH")
                ? Path.of(env.get("MEMORY_FILE_PATH")) : home.resolve(".cache/mcp-memory/memory.json");
        cmd.addAll(List.of("--memory-file", file.toAbsolutePath().normalize().toString()));
        String location = store != null ? store : env.get("MEMORY_BACKUP_STORE");
        if (location != null) {
            cmd.addAll(List.of("--store", location));
        }
        if (stateDir != null) {
            cmd.addAll(List.of("--state-dir", stateDir.toAbsolutePath().toString()));
        }
        if (tokenFile != null) {
            cmd.addAll(List.of("--token-file", tokenFile.toAbsolutePath().toString()));
        }
        if (syncEvery != null) {
            cmd.addAll(List.of("--sync-every", String.valueOf(syncEvery)));
        }
        return cmd;
    }

    /** The unit file's text. */
    static String unit(List<String> command) {
        StringBuilder exec = new StringBuilder();
        for (String arg : command) {
            if (arg.indexOf('\n') >= 0 || arg.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("a line break cannot be in a service's command line");
            }
            exec.append(exec.length() == 0 ? "" : " ").append('"')
                    .append(arg.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%").replace("$", "$$"))
                    .append('"');
        }
        return "[Unit]\n"
                + DESCRIPTION + "\n"
                + "After=network.target\n\n"
                + "[Service]\n"
                + "Type=simple\n"
                + "ExecStart=" + exec + "\n"
                + "Restart=on-failure\n"
                + "RestartSec=5\n"
                + "KillSignal=SIGTERM\n"
                + "TimeoutStopSec=60\n"
                + "UMask=0077\n"
                + "NoNewPrivileges=true\n\n"
                + "[Install]\n"
                + "WantedBy=default.target\n";
    }
}
