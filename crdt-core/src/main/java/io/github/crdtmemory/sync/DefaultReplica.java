package io.github.crdtmemory.sync;

import io.github.crdtmemory.core.ReplicaId;
import io.github.crdtmemory.internal.PrivateFiles;
import io.github.crdtmemory.memory.MemoryFormatException;
import io.github.crdtmemory.store.StoreAccessException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The replica id a machine uses when none is given: made once from the sanitized hostname plus six
 * random hex digits (so cloned containers differ), and kept in {@code <state root>/replica-id}
 * ({@code 0600}). Safe when several processes ask at once: the file appears by a hard link, which fails
 * if the name exists, so the first process wins and every process reads that one. Shared by {@code memory-backup} and the MCP server.
 */
public final class DefaultReplica {
    /** The file name under the state root. */
    public static final String FILE = "replica-id";

    private DefaultReplica() {
    }

    /**
     * Returns the persisted id, making it first if there is none.
     *
     * @param stateRoot the state root ({@code ~/.local/state/memory-backup} by default)
     * @param hostname the host's name, sanitized here; empty gives {@code host}
     * @return the id
     * @throws StoreAccessException if the file cannot be read or written
     * @throws MemoryFormatException if the file holds no valid id (it is never replaced silently)
     */
    public static ReplicaId of(Path stateRoot, String hostname) {
        Path file = stateRoot.resolve(FILE);
        try {
            Optional<ReplicaId> saved = read(file);
            if (saved.isPresent()) {
                return saved.get();
            }
            PrivateFiles.createDirectories(stateRoot);
            byte[] random = new byte[3];
            new SecureRandom().nextBytes(random);
            String made = sanitize(hostname) + "-" + HexFormat.of().formatHex(random);
            Path temp = stateRoot.resolve("." + FILE + "." + HexFormat.of().formatHex(random) + ".tmp");
            Files.writeString(temp, made + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            try {
                // link(2) fails atomically if the name exists, so the first process wins; Files.move without
                // REPLACE_EXISTING checks and then renames, which two processes can both pass
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException e) {
                // another process made it first; read theirs
            } finally {
                Files.deleteIfExists(temp);
            }
            return read(file).orElseThrow(() -> new IOException(file + " vanished"));
        } catch (IOException e) {
            throw new StoreAccessException(file.toString(), null, "cannot read or make the replica id: " + e, e);
        }
    }

    /**
     * Returns the persisted id, if one was made; makes nothing.
     *
     * @param stateRoot the state root
     * @return the id, or empty before the first {@link #of}
     * @throws StoreAccessException if the file cannot be read
     * @throws MemoryFormatException if the file holds no valid id
     */
    public static Optional<ReplicaId> find(Path stateRoot) {
        Path file = stateRoot.resolve(FILE);
        try {
            return read(file);
        } catch (IOException e) {
            throw new StoreAccessException(file.toString(), null, "cannot read the replica id: " + e, e);
        }
    }

    private static Optional<ReplicaId> read(Path file) throws IOException {
        Optional<byte[]> bytes = PrivateFiles.readIfExists(file);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        String value = new String(bytes.get(), StandardCharsets.UTF_8).strip();
        if (!ReplicaId.isValid(value)) {
            throw new MemoryFormatException(file.toString(), 1, 1, "not a valid replica id: '" + value + "'", null);
        }
        return Optional.of(ReplicaId.of(value));
    }

    private static String sanitize(String hostname) {
        String clean = hostname.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("^[^a-z0-9]+", "");
        if (clean.length() > 48) {
            clean = clean.substring(0, 48);
        }
        return clean.isEmpty() ? "host" : clean;
    }
}
