/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.seal.KeyFile;
import io.github.crdtmemory.seal.Keyring;
import io.github.crdtmemory.store.PublishedState;
import io.github.crdtmemory.store.ReplicaStore;
import io.github.crdtmemory.store.Revision;
import io.github.crdtmemory.store.Snapshot;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keygen} and {@code rekey}: the keys of an end-to-end encrypted store (docs/security.md). */
final class KeyCommands {
    private KeyCommands() {
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Write a new key file (0600; a random 256-bit AES key and its key id) for an encrypted "
                    + "store. An existing file is never replaced. Prints the key id, never the key.",
                "Keep a copy somewhere safe: without it nothing can be recovered from the store.",
                "With --rotate-from OLD, the new file also holds OLD's keys (they still open, only the new one seals):"
                        + " install it on every machine, then run 'rekey' on each."})
    static final class Keygen implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "FILE", description = "The key file to create. Default: "
                + "$MEMORY_BACKUP_KEY_FILE, else ~/.config/memory-backup/memory-backup.key.")
        Path file;

        @Option(names = "--rotate-from", paramLabel = "OLD", description = "Keep OLD's keys as old keys of the new file.")
        Path rotateFrom;

        @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            Environment env = Environment.current();
            Path target = file != null ? file : env.get(Environment.KEY_FILE).map(Path::of)
                    .orElse(env.home().resolve(".config/memory-backup/memory-backup.key"));
            target = target.toAbsolutePath().normalize();
            Keyring keys = rotateFrom == null ? Keyring.generate() : KeyFile.read(rotateFrom).rotate();
            if (target.getParent() != null) {
                PrivateFiles.createDirectories(target.getParent());
            }
            KeyFile.create(target, keys);
            StringWriter w = new StringWriter();
            try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
                g.writeStartObject();
                g.writeStringField("keyFile", target.toString());
                g.writeStringField("keyId", keys.currentKeyId());
                g.writeArrayFieldStart("oldKeyIds");
                for (String id : keys.keyIds().subList(1, keys.keyIds().size())) {
                    g.writeString(id);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            spec.commandLine().getOut().println(json ? w.toString() : "wrote " + target + " (key id "
                    + keys.currentKeyId() + (keys.keyIds().size() > 1 ? ", old keys " + keys.keyIds().subList(1,
                    keys.keyIds().size()) : "") + "); keep a copy somewhere safe: without it the store cannot be read");
            spec.commandLine().getOut().flush();
            return ExitStatus.OK;
        }
    }

    @Command(name = "rekey", mixinStandardHelpOptions = true, versionProvider = Version.class,
            description = {"Re-encrypt this replica's state in the store under the current key of --new-key-file "
                    + "(the old key file is --key-file or $MEMORY_BACKUP_KEY_FILE). Other replicas are read with the "
                    + "keys of both files and re-encrypt at their own rekey (or next sync with the new file).",
                "Then point --key-file / $MEMORY_BACKUP_KEY_FILE at the new file."})
    static final class Rekey extends WorkingCommand {
        @Option(names = "--new-key-file", paramLabel = "FILE", required = true,
                description = "The new key file (from 'keygen --rotate-from').")
        Path newKeyFile;

        @Override
        public Integer call() throws IOException {
            Workspace w = workspace();
            ReplicaId replica = w.replica();
            Keyring old = w.keyring().orElseThrow(() -> CommandFailure.usage(
                    "rekey needs the old key file: --key-file FILE or $" + Environment.KEY_FILE));
            Keyring next = KeyFile.read(newKeyFile.toAbsolutePath().normalize());
            if (next.currentKeyId().equals(old.currentKeyId())) {
                throw CommandFailure.usage("the new key file's current key is the old one (" + old.currentKeyId()
                        + "): make a new one with 'memory-backup keygen --rotate-from OLD NEW'");
            }
            Keyring both = old.sealingWith(next);
            try (ReplicaStore store = w.openStore(both)) {
                Snapshot snapshot = store.read();
                Optional<PublishedState> own = snapshot.get(replica);
                Revision revision = own.isEmpty() ? Revision.NONE
                        : store.publish(replica, own.get().state(), own.get().revision());
                StringWriter json = new StringWriter();
                try (JsonGenerator g = new JsonFactory().createGenerator(json)) {
                    g.writeStartObject();
                    g.writeStringField("replica", replica.value());
                    g.writeStringField("store", store.description());
                    g.writeBooleanField("rekeyed", own.isPresent());
                    g.writeStringField("revision", own.isPresent() ? revision.token() : null);
                    g.writeStringField("keyId", next.currentKeyId());
                    g.writeEndObject();
                }
                print(json.toString(), own.isEmpty() ? "replica " + replica + " has no state in "
                        + store.description() + ": nothing to re-encrypt\n" : "re-encrypted replica " + replica
                        + " under key " + next.currentKeyId() + " (revision " + revision.token() + ")\n");
                List<?> quarantined = snapshot.quarantined();
                return quarantined.isEmpty() ? ExitStatus.OK : ExitStatus.QUARANTINED;
            }
        }
    }
}
