/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo} through the launcher, as the README runs it. */
class DemoIT {
    @TempDir
    Path tmp;

    @Test
    void demoConvergesAndLeavesNothingBehind() throws Exception {
        Cli cli = new Cli(Files.createDirectories(tmp.resolve("home")));
        Cli.Run human = cli.launcher("demo");
        assertThat(human.code()).as("%s", human).isZero();
        assertThat(human.out()).contains("both files are identical");

        Cli.Run json = cli.run("demo", "--json");
        assertThat(json.code()).as("%s", json).isZero();
        JsonNode r = json.json();
        assertThat(r.get("converged").asBoolean()).isTrue();
        String after = r.get("after").get("alice").asText();
        assertThat(after).contains("born in 1815").contains("translated Menabrea's paper").contains("mathematician")
                .doesNotContain("Old note");
        assertThat(r.get("reports")).hasSize(5);
        try (var left = Files.list(cli.home.resolve("tmp"))) {
            assertThat(left.filter(p -> p.getFileName().toString().startsWith("memory-backup-demo"))).isEmpty();
        }
        try (var home = Files.list(cli.home)) {
            assertThat(home.map(p -> p.getFileName().toString())).containsOnly("tmp");
        }
    }
}
