/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.seal;

import io.github.crdtmemory.internal.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes key files. A key file is text, owner-only ({@code 0600}):
 *
 * <pre>
 * # crdt-memory key file: ...
 * crdt-memory-keys 1
 * key 3f9c0d2a61b4e875 &lt;base64 of 32 bytes&gt;     (the current key: it seals)
 * key 0a1b2c3d4e5f6071 &lt;base64 of 32 bytes&gt;     (an old key: it only opens)
 * </pre>
 *
 * A file that is a symbolic link, readable or writable by group or others, larger than 64 KiB or
 * malformed is refused with an {@link EncryptionException} of kind {@link EncryptionException.Kind#KEY_FILE}
 * whose message names the path, never a key. A file is created once, never replaced.
 */
public final class KeyFile {
    private static final String HEADER = "crdt-memory-keys 1";
    private static final int MAX_BYTES = 64 * 1024;
    private static final Set<PosixFilePermission> OTHERS = EnumSet.complementOf(
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));

    private KeyFile() {
    }

    /**
     * Reads a key file.
     *
     * @param file the key file
     * @return its keys, the first one current
     * @throws EncryptionException of kind {@link EncryptionException.Kind#KEY_FILE} if it cannot be used
     */
    public static Keyring read(Path file) {
        byte[] bytes;
        try {
            PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                throw refused(file, "is not a regular file (a symbolic link or a directory is refused)");
            }
            if (attributes.permissions().stream().anyMatch(OTHERS::contains)) {
                throw refused(file, "is accessible by group or others: chmod 600 it (and consider the key exposed)");
            }
            if (attributes.size() > MAX_BYTES) {
                throw refused(file, "is larger than a key file can be");
            }
            try (java.nio.channels.SeekableByteChannel in = Files.newByteChannel(file,
                    java.nio.file.StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) { // O_NOFOLLOW: no swap
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(MAX_BYTES + 1);
                int read;
                do {
                    read = in.read(buffer);
                } while (read >= 0 && buffer.hasRemaining());
                if (buffer.position() > MAX_BYTES) {
                    throw refused(file, "is larger than a key file can be");
                }
                bytes = java.util.Arrays.copyOf(buffer.array(), buffer.position());
                java.util.Arrays.fill(buffer.array(), (byte) 0);
            }
        } catch (IOException e) {
            throw refused(file, "cannot be read: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return parse(file, new String(bytes, StandardCharsets.UTF_8));
    }

    private static Keyring parse(Path file, String text) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        boolean header = false;
        int n = 0;
        for (String raw : text.split("\n", -1)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!header) {
                if (!line.equals(HEADER)) {
                    throw refused(file, "is not a key file (line " + n + " should be '" + HEADER + "')");
                }
                header = true;
                continue;
            }
            String[] parts = line.split(" ");
            byte[] key;
            try {
                key = parts.length == 3 && parts[0].equals("key") ? Base64.getDecoder().decode(parts[2]) : null;
            } catch (IllegalArgumentException e) {
                key = null;
            }
            if (key == null || key.length != 32 || !parts[1].matches("[0-9a-f]{16}") || keys.containsKey(parts[1])) {
                throw refused(file, "line " + n + " is not 'key <16 hex digits> <base64 of 32 bytes>' (or repeats a key id)");
            }
            keys.put(parts[1], key);
        }
        if (keys.isEmpty()) {
            throw refused(file, "holds no key");
        }
        return Keyring.of(keys);
    }

    /**
     * Creates a key file holding {@code keyring} ({@code 0600}, written durably), unless the path exists.
     *
     * @param file the file to create
     * @param keyring the keys, the current first
     * @throws EncryptionException of kind {@link EncryptionException.Kind#KEY_FILE} if the file exists or
     *     cannot be written
     */
    public static void create(Path file, Keyring keyring) {
        StringBuilder text = new StringBuilder();
        text.append("# crdt-memory key file. Keep it secret (0600), and keep a copy somewhere safe:\n")
                .append("# without it nothing can be recovered from an encrypted store.\n")
                .append("# The first key seals (current); the others only open (old keys of a rotation).\n")
                .append(HEADER).append('\n');
        keyring.material().forEach((id, key) -> text.append("key ").append(id).append(' ')
                .append(Base64.getEncoder().encodeToString(key)).append('\n'));
        try {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)
                    || !PrivateFiles.createDurably(file, text.toString().getBytes(StandardCharsets.UTF_8))) {
                throw refused(file, "exists; a key file is never replaced (choose another path)");
            }
        } catch (IOException e) {
            throw refused(file, "cannot be written: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static EncryptionException refused(Path file, String why) {
        return new EncryptionException("key file " + file, null, EncryptionException.Kind.KEY_FILE,
                why);
    }
}
