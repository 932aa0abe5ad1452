/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.core.Clock;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.core.Timestamp;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryState;
import io.github.crdtmemory.memory.StateCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code merge FILE...}: an offline merge, touching no store and no state. Replica state files are
 * joined as they are; a plain memory file carries no history, so it counts as one replica whose edits
 * are older than any stamped state and newer than the plain files before it on the command line.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Merge MCP memory files and/or replica state files into one JSONL view (stdout by default). "
                + "Plain memory files have no history: their union is taken, and where they disagree (an entity type) "
                + "the later file wins; stamped states win over plain files.",
            "With --legacy, merge the JSON arrays of the earlier Python tool by their _crdt_metadata instead."})
final class MergeCommand implements Callable<Integer> {
    private static final ReplicaId PLAIN = ReplicaId.of("merge-input");

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Memory files, state files or, with --legacy, "
            + "legacy JSON arrays.")
    List<Path> files;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write the result to OUT (atomically, 0600).")
    Path output;

    @Option(names = "--legacy", description = "Inputs are the earlier tool's JSON arrays; output is one too.")
    boolean legacy;

    @Override
    public Integer call() throws IOException {
        Map<String, byte[]> inputs = new LinkedHashMap<>();
        for (Path f : files) {
            try {
                inputs.put(f.toString(), Files.readAllBytes(f));
            } catch (IOException e) {
                throw CommandFailure.badInput(f + ": cannot read: " + e);
            }
        }
        byte[] result = legacy ? LegacyMerge.merge(inputs) : mergeMemory(inputs);
        if (output == null) {
            PrintStream out = System.out;
            out.write(result);
            out.flush();
        } else {
            PrivateFiles.replace(output.toAbsolutePath(), result);
        }
        return ExitStatus.OK;
    }

    private static byte[] mergeMemory(Map<String, byte[]> inputs) {
        List<MemoryState> states = new ArrayList<>();
        long order = 0;
        for (Map.Entry<String, byte[]> in : inputs.entrySet()) {
            byte[] bytes = in.getValue();
            if (startsWith(bytes, "{\"format\":\"" + StateCodec.FORMAT + "\"")) {
                states.add(StateCodec.decode(bytes, in.getKey()));
            } else {
                long wall = ++order;
                Clock clock = Clock.hybrid(PLAIN, () -> wall, new Timestamp(wall, 0));
                states.add(MemoryState.fromGraph(MemoryFileCodec.parse(bytes, in.getKey()).graph(), clock));
            }
        }
        return MemoryFileCodec.write(MemoryState.joinAll(states).view(), true);
    }

    private static boolean startsWith(byte[] bytes, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (bytes[i] != p[i]) {
                return false;
            }
        }
        return true;
    }
}
