/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.memory.MemoryFileCodec;
import io.github.crdtmemory.memory.MemoryGraph;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncReport;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sync}, {@code backup} and {@code restore}: the sync engine's three cycles. */
final class EngineCommands {
    private EngineCommands() {
    }

    abstract static class Cycle extends WorkingCommand {
        private final String verb;
        private final boolean fileRequired;
        private final Function<SyncEngine, SyncReport> run;

        @Option(names = "--allow-mass-deletion", description = "Stamp the memory file's edits even when they "
                + "delete most of the memory (without it such a run stops with exit code 7 and changes nothing).")
        boolean allowMassDeletion;

        Cycle(String verb, boolean fileRequired, Function<SyncEngine, SyncReport> run) {
            this.verb = verb;
            this.fileRequired = fileRequired;
            this.run = run;
        }

        @Override
        public Integer call() throws Exception {
            Workspace w = workspace();
            w.replica(); // an invalid id is a usage error before anything else is looked at
            if (fileRequired) {
                w.requireMemoryFile();
            }
            try (ReplicaStore store = w.openStore()) {
                SyncReport report;
                try (AutoCloseable p = progress(verb)) { // ended before the report is printed
                    report = run.apply(w.engine(store, allowMassDeletion));
                }
                print(report.toJson(), Reports.summary(verb, report));
                return report.quarantined().isEmpty() ? ExitStatus.OK : ExitStatus.QUARANTINED;
            }
        }
    }

    @Command(name = "sync", mixinStandardHelpOptions = true, versionProvider = Version.class,
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {},
            description = {"Run the whole cycle for one memory file: stamp local edits, merge every replica, "
                    + "publish this replica's state, write the merged graph back.",
                "A missing memory file is an empty memory: on a new machine the sync creates it (0600) with the "
                        + "merged graph; once a sync has seen entities in it, its absence is a mass deletion "
                        + "(exit 7 without --allow-mass-deletion)."})
    static final class Sync extends Cycle {
        Sync() {
            super("synced", false, SyncEngine::sync);
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = Version.class,
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {},
            description = "Publish local edits (merged with every replica) without writing the memory file.")
    static final class Backup extends Cycle {
        Backup() {
            super("backed up", true, SyncEngine::backup);
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Write the merged graph of every replica into the memory file (created if missing). "
                    + "Edits already in the file are kept; nothing is published.",
                "With --at, write the memory as it was at a revision or time instead (keeping a copy of the "
                        + "current file first), then stamp and publish that as a new edit so that it reaches every "
                        + "replica; history is never rewritten."})
    static final class Restore extends Cycle {
        @Option(names = "--at", paramLabel = "REV|TIME", description = "A revision (a commit of "
                + "any replica or of main) or a time (this replica's newest publication at or before it).")
        String at;

        @Option(names = "--dry-run", description = "With --at: show what would change, change "
                + "nothing.")
        boolean dryRun;

        Restore() {
            super("restored", false, SyncEngine::restore);
        }

        @Override
        public Integer call() throws Exception {
            if (at == null) {
                if (dryRun) {
                    throw CommandFailure.usage("--dry-run goes with --at");
                }
                return super.call();
            }
            Workspace w = workspace();
            ReplicaId replica = w.replica();
            try (ReplicaStore store = w.openStore()) {
                Versions.Version version = new Versions(store).find(at, replica);
                SyncEngine engine = w.engine(store);
                MemoryGraph current = Files.exists(w.memoryFile())
                        ? MemoryFileCodec.parse(Files.readAllBytes(
                                w.memoryFile()), w.memoryFile().toString()).graph()
                        : MemoryGraph.empty();
                GraphDiff diff = GraphDiff.of(current, version.graph());
                if (dryRun) {
                    print(diff.json(w.memoryFile().toString(), version.label()), "dry run: restoring "
                            + version.label() + " would change " + w.memoryFile() + " so:\n" + diff.text());
                    return ExitStatus.OK;
                }
                if (Files.exists(w.memoryFile())) {
                    // edits not yet stamped go into the history first, so the restore loses none
                    w.engine(store, allowMassDeletion).backup();
                }
                Optional<Path> copy = engine.writeMemoryFile(version.graph());
                // the restore's own deletions are what was asked for (--dry-run shows them): never a mass deletion
                SyncReport report = w.engine(store, true).backup();
                print(restoreJson(version.label(), copy, diff, report), "restored " + version.label() + " into "
                        + w.memoryFile() + copy.map(c -> " (the previous content is kept in " + c + ")").orElse("")
                        + "\n" + diff.text() + Reports.summary("published the restore as a new edit:", report));
                return report.quarantined().isEmpty() ? ExitStatus.OK : ExitStatus.QUARANTINED;
            }
        }

        private static String restoreJson(String at, Optional<Path> copy, GraphDiff diff,
                                          SyncReport report) throws IOException {
            StringWriter w = new StringWriter();
            try (JsonGenerator g = new JsonFactory()
                    .createGenerator(w)) {
                g.writeStartObject();
                g.writeStringField("format", "crdt-memory-restore");
                g.writeNumberField("version", 1);
                g.writeStringField("restored", at);
                g.writeStringField("keptCopy", copy.map(Object::toString).orElse(""));
                g.writeObjectFieldStart("changes");
                diff.fields(g);
                g.writeEndObject();
                g.writeFieldName("report");
                g.writeRawValue(report.toJson());
                g.writeEndObject();
            }
            return w.toString();
        }
    }
}
