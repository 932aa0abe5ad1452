/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration a real git sees through {@link GitProcess}, whatever the user's setup says. */
class GitEnvironmentTest {
    @TempDir
    Path tmp;

    @Test
    void theFixedSettingsWinOverAHostileGlobalConfig() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve(".gitconfig"), "[core]\n\thooksPath = /tmp/evil\n[commit]\n\tgpgSign = true\n"
                + "[http]\n\tlowSpeedLimit = 0\n[credential]\n\thelper = store\n[gc]\n\tauto = 1\n");
        Map<String, String> hostile = new HashMap<>(System.getenv());
        hostile.put("HOME", home.toString());
        hostile.put("GIT_CONFIG_GLOBAL", home.resolve(".gitconfig").toString());
        hostile.put("LANG", "de_DE.UTF-8");
        GitProcess git = new GitProcess("git", GitEnvironment.build(hostile, "file:///nowhere.git",
                GitEnvironment.DEFAULT_SSH_COMMAND), "test");

        GitProcess.Result r = git.run(tmp, Duration.ofSeconds(10), null, Map.of(), null,
                List.of("config", "--list"));

        assertThat(r.exitCode()).isZero();
        Map<String, String> config = new HashMap<>();
        for (String line : r.out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                config.put(line.substring(0, eq), line.substring(eq + 1)); // the last value wins, as in git
            }
        }
        assertThat(config).containsEntry("core.hookspath", "/dev/null")
                .containsEntry("commit.gpgsign", "false")
                .containsEntry("http.lowspeedlimit", "1000")
                .containsEntry("http.lowspeedtime", "20")
                .containsEntry("credential.helper", "")
                .containsEntry("gc.auto", "0")
                .containsEntry("remote.origin.url", "file:///nowhere.git");
        assertThat(r.out()).doesNotContain("/tmp/evil").doesNotContain("helper=store");
    }
}
