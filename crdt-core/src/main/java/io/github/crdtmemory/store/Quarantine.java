/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.store;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.Redaction;
import java.util.Objects;

/**
 * A replica a {@link ReplicaStore#read()} skipped: its ref, objects or state could not be read, or its
 * state is larger than the store's limit. The other replicas are read as usual; a sync merges and
 * publishes them and names this one in its report. The next read tries it again. Immutable.
 *
 * <p>The revision is the one to expect when the replica itself publishes over its unreadable state
 * (so its owner replaces a damaged state with a good one by compare-and-swap), or
 * {@link Revision#NONE} when the store could not tell it. The reason never holds credentials.
 *
 * @param replica the skipped replica
 * @param revision the revision of the state that could not be read, or {@link Revision#NONE}
 * @param reason why it was skipped, for people (redacted)
 */
public record Quarantine(ReplicaId replica, Revision revision, String reason) {
    /**
     * Validates the components and redacts the reason.
     *
     * @throws NullPointerException if a component is null
     */
    public Quarantine {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(revision, "revision");
        reason = Redaction.redact(Objects.requireNonNull(reason, "reason")).strip();
    }

    /**
     * Returns a quarantine whose revision is unknown.
     *
     * @param replica the skipped replica
     * @param reason why it was skipped
     * @return the quarantine
     */
    public static Quarantine of(ReplicaId replica, String reason) {
        return new Quarantine(replica, Revision.NONE, reason);
    }
}
