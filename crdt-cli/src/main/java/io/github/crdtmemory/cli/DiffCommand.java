/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.store.ReplicaStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code diff A [B]}: what changed between two versions, or between one and the merged view now. */
@Command(name = "diff", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Show the entities, observations and relations added and removed between two versions: "
                + "each a file (a memory file, a kept copy, a state file), a revision (a commit of a replica or of "
                + "main, full or abbreviated) or a time (this replica's newest publication at or before it).",
            "With one version, compare it with the merged view of every replica now."})
final class DiffCommand extends WorkingCommand {
    @Parameters(arity = "1..2", paramLabel = "VERSION", description = "FILE, REV or TIME")
    java.util.List<String> versions;

    @Override
    public Integer call() throws Exception {
        Workspace w = workspace();
        ReplicaId replica = w.replica();
        try (ReplicaStore store = w.openStore()) {
            Versions v = new Versions(store);
            Versions.Version from = v.find(versions.get(0), replica);
            Versions.Version to = versions.size() > 1 ? v.find(versions.get(1), replica) : v.current();
            GraphDiff diff = GraphDiff.of(from.graph(), to.graph());
            print(diff.json(from.label(), to.label()), "from " + from.label() + "\nto   " + to.label() + "\n"
                    + diff.text());
        }
        return ExitStatus.OK;
    }
}
