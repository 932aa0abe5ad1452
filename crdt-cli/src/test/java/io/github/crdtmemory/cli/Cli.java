/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the shaded jar (or the launcher) as a real process, with a private HOME. */
final class Cli {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path home;
    final Map<String, String> env = new HashMap<>();

    Cli(Path home) {
        this.home = home;
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", home.toString());
        env.put("LANG", "C.UTF-8");
        env.put("HOSTNAME", "test-host");
    }

    /** An empty bare repository under {@code tmp}, the remote the replicas meet in. */
    static Path bareRemote(Path tmp) throws IOException {
        Path remote = Files.createDirectories(tmp.resolve("remote.git"));
        git(remote, "init", "--bare", "-q");
        return remote;
    }

    /** A machine with its own HOME under {@code tmp}, replica {@code id}, syncing through {@code remote}. */
    static Cli replica(Path tmp, String id, Path remote) throws IOException {
        Cli c = new Cli(Files.createDirectories(tmp.resolve(id)));
        c.env.put("MEMORY_BACKUP_STORE", "git+file://" + remote);
        c.env.put("MEMORY_FILE_PATH", c.home.resolve("memory.jsonl").toString());
        c.env.put("MEMORY_BACKUP_REPLICA", id);
        return c;
    }

    /** Writes this machine's memory file, one line each, ending with a newline. */
    void write(String... lines) throws IOException {
        Files.writeString(home.resolve("memory.jsonl"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /** Reads this machine's memory file. */
    String read() throws IOException {
        return Files.readString(home.resolve("memory.jsonl"), StandardCharsets.UTF_8);
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("memoryBackup.jar", "target/memory-backup.jar"));
        assertThat(jar).as("the shaded jar; run through 'mvnw verify'").exists();
        return jar;
    }

    /**
     * The result of one run.
     *
     * @param code the exit code
     * @param out stdout
     * @param err stderr
     */
    record Run(int code, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("stdout is not one JSON value: " + out + "\nstderr: " + err, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    Run run(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + home.resolve("tmp"), "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    Run launcher(String... args) {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("memoryBackup.launcher", "../bin/memory-backup")));
        cmd.addAll(List.of(args));
        Map<String, String> saved = new HashMap<>(env);
        env.put("MEMORY_BACKUP_JAR", jar().toAbsolutePath().toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        try {
            return exec(cmd);
        } finally {
            env.clear();
            env.putAll(saved);
        }
    }

    private Run exec(List<String> cmd) {
        try {
            Files.createDirectories(home.resolve("tmp"));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().clear();
            pb.environment().putAll(env);
            Path out = Files.createTempFile(home.resolve("tmp"), "out", ".txt");
            Path err = Files.createTempFile(home.resolve("tmp"), "err", ".txt");
            pb.redirectOutput(out.toFile());
            pb.redirectError(err.toFile());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("memory-backup " + cmd + " ran past 120 s");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs git (for fixtures) and fails the test if it fails. */
    static void git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("git %s: %s", cmd, out).isZero();
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String entity(String name, String type, String... observations) {
        StringBuilder s = new StringBuilder("{\"type\":\"entity\",\"name\":\"" + name + "\",\"entityType\":\"" + type
                + "\",\"observations\":[");
        for (int i = 0; i < observations.length; i++) {
            s.append(i == 0 ? "" : ",").append('"').append(observations[i]).append('"');
        }
        return s.append("]}").toString();
    }
}
