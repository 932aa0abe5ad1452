/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.sync.SyncStatus;
import picocli.CommandLine.Command;

/** {@code status}: where this replica's sync stands; changes nothing. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Show the replica id, store, state dir, last sync, counts and the local changes not yet "
                + "published. Changes nothing.")
final class StatusCommand extends WorkingCommand {
    @Override
    public Integer call() throws Exception {
        Workspace w = workspace();
        try (ReplicaStore store = w.openStore()) {
            SyncStatus status = w.engine(store).status();
            print(status.toJson(), Reports.status(status));
        }
        return ExitStatus.OK;
    }
}
