/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line set without picocli sets exactly what picocli sets, and leaves the rest to it. */
class MemoryServerOptionsTest {
    private static List<Object> options(MemoryServer s) {
        return Arrays.asList(s.memoryFile, s.store, s.replica, s.stateDir, s.syncEvery, s.keyFile);
    }

    @Test
    void theCommonCommandLinesGiveWhatPicocliGives() {
        String[][] lines = {
            {},
            {"--memory-file", "/m/memory.json"},
            {"--memory-file=/m/memory.json", "--store", "git+file:///r.git", "--replica=laptop"},
            {"--state-dir", "rel/state", "--sync-every", "7", "--store=file:/x"},
            {"--sync-every=1", "--replica", "a-b.c"},
            {"--store=file:/x", "--key-file", "/k/memory.key"},
        };
        for (String[] args : lines) {
            MemoryServer fast = new MemoryServer(null);
            assertThat(fast.setOptions(args)).as(Arrays.toString(args)).isTrue();
            MemoryServer slow = new MemoryServer(null);
            new CommandLine(slow).parseArgs(args);
            assertThat(options(fast)).as(Arrays.toString(args)).isEqualTo(options(slow));
        }
        assertThat(options(new MemoryServer(null)).get(4)).isEqualTo(300L);
    }

    @Test
    void anythingElseIsLeftToPicocliWithNothingSet() {
        String[][] lines = {
            {"--help"}, {"-V"}, {"--version"}, {"--unknown", "x"}, {"--sync-every", "soon"}, {"--store"},
            {"--replica", "a", "--replica", "b"}, {"positional"}, {"--store", "--replica", "r"}, {"--state-dir", "/s", "-h"},
        };
        for (String[] args : lines) {
            MemoryServer s = new MemoryServer(null);
            assertThat(s.setOptions(args)).as(Arrays.toString(args)).isFalse();
            assertThat(options(s)).as(Arrays.toString(args)).isEqualTo(options(new MemoryServer(null)));
        }
    }
}
