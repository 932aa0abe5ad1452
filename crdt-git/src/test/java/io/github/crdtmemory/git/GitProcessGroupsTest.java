/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry of live git processes and the shutdown hook's view of it: once the hook has looked, no
 * process starts at all (one started and then ended could spawn children the hook never signals).
 */
final class GitProcessGroupsTest {
    @TempDir
    Path temp;

    @Test
    void onceStoppingNothingStartsAndEveryStartedProcessWasSeenByTheHook() throws Exception {
        Path marker = temp.resolve("ran");
        try (GitProcessGroups groups = new GitProcessGroups()) {
            Process before = groups.start(new ProcessBuilder("sleep", "30")
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
            assertThat(before).isNotNull();
            java.util.List<Long> ended = new java.util.ArrayList<>();
            groups.terminateAll(p -> {
                ended.add(p.pid());
                p.destroyForcibly();
            });
            assertThat(ended).as("the hook ends what was started before it").containsExactly(before.pid());
            assertThat(before.waitFor(10, TimeUnit.SECONDS)).isTrue();

            Process after = groups.start(new ProcessBuilder("touch", marker.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
            assertThat(after).as("refused after the hook").isNull();
            Thread.sleep(200);
            assertThat(Files.exists(marker)).as("the refused command never ran").isFalse();
        }
    }
}
