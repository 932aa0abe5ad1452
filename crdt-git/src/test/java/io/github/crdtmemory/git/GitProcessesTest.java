/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.sync.Host;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 16 JVMs with distinct replicas and 4 sharing one replica id (as cloned machines would) sync to one
 * bare remote at once, 10 rounds each: no rejected push between distinct replicas, no lost atom,
 * everyone converges, and {@code git fsck} of the remote is clean.
 */
final class GitProcessesTest {
    private static final int DISTINCT = 16;
    private static final int SHARED = 4;
    private static final int ROUNDS = 10;

    @TempDir
    Path temp;

    @Test
    void twentyProcessesConvergeOnOneRemote() throws Exception {
        Path remote = GitFixtures.bareRemote(temp.resolve("remote.git"));
        List<String[]> hosts = new ArrayList<>();
        for (int i = 0; i < DISTINCT; i++) {
            hosts.add(new String[] {"host-" + i, "host-" + i});
        }
        for (int i = 0; i < SHARED; i++) {
            hosts.add(new String[] {"twin", "twin-" + i});
        }
        List<Process> children = new ArrayList<>();
        List<List<String>> outputs = new ArrayList<>();
        try {
            for (String[] h : hosts) {
                Path home = temp.resolve(h[1]);
                List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                        "-Dorg.slf4j.simpleLogger.logFile=target/child-" + h[1] + ".log",
                        "-Dorg.slf4j.simpleLogger.log.io.github.crdtmemory=info",
                        "-cp", System.getProperty("java.class.path"), GitSyncWorker.class.getName(),
                        remote.toString(), home.resolve("cache").toString(), home.resolve("memory.jsonl").toString(),
                        home.resolve("state").toString(), h[0], h[1], Integer.toString(ROUNDS));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                children.add(pb.start());
            }
            for (Process p : children) {
                List<String> lines = new ArrayList<>();
                try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                }
                assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
                outputs.add(lines);
                assertThat(p.exitValue()).as("child output %s", lines).isZero();
            }
        } finally {
            children.forEach(Process::destroyForcibly);
        }
        for (int i = 0; i < DISTINCT; i++) {
            assertThat(outputs.get(i)).as("%s: no rejected push between distinct replicas", hosts.get(i)[1])
                    .filteredOn(l -> l.startsWith("attempts ")).hasSize(ROUNDS).allMatch(l -> l.equals("attempts 1"));
        }
        int sharedRetries = 0;
        for (int i = DISTINCT; i < hosts.size(); i++) {
            for (String l : outputs.get(i)) {
                if (l.startsWith("attempts ")) {
                    sharedRetries += Integer.parseInt(l.substring("attempts ".length())) - 1;
                }
            }
        }

        List<Host> finals = new ArrayList<>();
        List<GitStore> stores = new ArrayList<>();
        for (String[] h : hosts) {
            Path home = temp.resolve(h[1]);
            GitStore s = GitStore.open(GitStoreOptions.of(remote.toString(), home.resolve("cache")));
            stores.add(s);
            finals.add(new Host(home.resolve("memory.jsonl"), home.resolve("state"), h[0], s));
        }
        for (int round = 0; round < 2; round++) {
            for (Host h : finals) {
                h.sync();
            }
        }
        Set<String> expected = new HashSet<>();
        for (String[] h : hosts) {
            for (int i = 0; i < ROUNDS; i++) {
                expected.add(h[1] + "-" + i);
            }
        }
        MemoryGraph first = finals.get(0).graph();
        for (Host h : finals) {
            assertThat(h.graph()).isEqualTo(first);
        }
        assertThat(first.entity("shared").orElseThrow().observations()).as("after %s retries among the twins",
                sharedRetries).containsExactlyInAnyOrderElementsOf(expected);
        Set<String> names = new HashSet<>();
        first.entities().forEach(e -> names.add(e.name()));
        assertThat(names).containsAll(expected);
        assertThat(stores.get(0).read().size()).isEqualTo(DISTINCT + 1);
        GitFixtures.git(remote, "fsck", "--full", "--strict", "--no-dangling");
        assertThat(GitFixtures.git(remote, "show", "main:memory/"
                + StateTree.shardName(StateTree.shardOfName("shared")) + ".jsonl")).contains("\"name\":\"shared\"");
        stores.forEach(GitStore::close);
    }


    /**
     * A child JVM whose real process environment is hostile (GIT_DIR elsewhere, traces on, a German
     * locale, a global config with a sleeping hook, gpg signing and a URL rewrite) syncs normally.
     */
    @Test
    void aHostileProcessEnvironmentChangesNothing() throws Exception {
        Path remote = GitFixtures.bareRemote(temp.resolve("remote.git"));
        Path elsewhere = GitFixtures.bareRemote(temp.resolve("elsewhere.git"));
        Path home = temp.resolve("home");
        Path hooks = temp.resolve("hooks");
        GitFixtures.script(hooks.resolve("pre-push"), "sleep 3006");
        GitFixtures.script(hooks.resolve("post-commit"), "sleep 3006");
        java.nio.file.Files.createDirectories(home);
        java.nio.file.Files.writeString(home.resolve(".gitconfig"), "[core]\n\thooksPath = " + hooks
                + "\n[commit]\n\tgpgSign = true\n[url \"file:///nonexistent/\"]\n\tinsteadOf = " + remote.getParent()
                + "/\n");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.logFile=target/child-hostile.log",
                "-cp", System.getProperty("java.class.path"), GitSyncWorker.class.getName(),
                remote.toString(), temp.resolve("cache").toString(), temp.resolve("memory.jsonl").toString(),
                temp.resolve("state").toString(), "hostile", "hostile", "2");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("GIT_DIR", elsewhere.toString());
        pb.environment().put("GIT_INDEX_FILE", temp.resolve("bogus-index").toString());
        pb.environment().put("GIT_TRACE", "1");
        pb.environment().put("GIT_TRACE_PACKET", "1");
        pb.environment().put("GIT_CONFIG_GLOBAL", home.resolve(".gitconfig").toString());
        pb.environment().put("LANG", "de_DE.UTF-8");
        pb.environment().put("LC_ALL", "de_DE.UTF-8");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("done").doesNotContain("trace:").doesNotContain("packet:");
        String tip = GitFixtures.git(remote, "rev-parse", "refs/heads/replicas/hostile").strip();
        assertThat(GitFixtures.git(remote, "cat-file", "commit", tip)).doesNotContain("gpgsig");
        assertThat(GitFixtures.git(elsewhere, "for-each-ref")).isEmpty();
        assertThat(temp.resolve("bogus-index")).doesNotExist();
        assertThat(GitFixtures.livingProcesses("sleep 3006")).isEmpty();
    }
}
