package io.github.crdtmemory.cli;

import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.sync.SyncReport;
import java.util.function.Function;
import picocli.CommandLine.Command;

/** {@code sync}, {@code backup} and {@code restore}: the sync engine's three cycles. */
final class EngineCommands {
    private EngineCommands() {
    }

    abstract static class Cycle extends WorkingCommand {
        private final String verb;
        private final boolean fileRequired;
        private final Function<SyncEngine, SyncReport> run;

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
            try (ReplicaStore store = w.openStore(); AutoCloseable p = progress(verb)) {
                SyncReport report = run.apply(w.engine(store));
                p.close();
                print(report.toJson(), Reports.summary(verb, report));
            }
            return ExitStatus.OK;
        }
    }

    @Command(name = "sync", mixinStandardHelpOptions = true, versionProvider = Version.class,
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {},
            description = "Run the whole cycle for one memory file: stamp local edits, merge every replica, "
                    + "publish this replica's state, write the merged graph back.")
    static final class Sync extends Cycle {
        Sync() {
            super("synced", true, SyncEngine::sync);
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
            exitCodeListHeading = "%nExit codes:%n", exitCodeList = {},
            description = "Write the merged graph of every replica into the memory file (created if missing). "
                    + "Edits already in the file are kept; nothing is published.")
    static final class Restore extends Cycle {
        Restore() {
            super("restored", false, SyncEngine::restore);
        }
    }
}
