/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp;

import io.github.crdtmemory.internal.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The secret every MCP request over HTTP must carry as {@code Authorization: Bearer <token>}. Read from
 * a file (its first line, trimmed); when the default file does not exist it is created with 32 random
 * bytes (base64url), mode {@code 0600} in a {@code 0700} directory. The token is never logged, echoed or
 * put in an exception message: {@link #toString()} hides it. A symlink is refused.
 */
final class BearerToken {
    private static final int MIN_LENGTH = 16;

    private final byte[] token;

    private BearerToken(byte[] token) {
        this.token = token;
    }

    /**
     * The token in {@code file}; created when {@code create} and the file does not exist.
     *
     * @throws IOException if the file cannot be read or created, is a symlink, is readable by others,
     *     or holds fewer than 16 characters
     */
    static BearerToken load(Path file, boolean create) throws IOException {
        if (Files.isSymbolicLink(file)) {
            throw new IOException("the token file is a symbolic link, refused: " + file);
        }
        if (create && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            PrivateFiles.createDirectories(PrivateFiles.parentOf(file));
            PrivateFiles.createDurably(file, (fresh + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        Optional<byte[]> bytes = PrivateFiles.readIfExists(file);
        if (bytes.isEmpty()) {
            throw new IOException("no token file: " + file);
        }
        if (PrivateFiles.permissions(file).stream().anyMatch(p -> p.name().startsWith("GROUP")
                || p.name().startsWith("OTHERS"))) {
            throw new IOException("the token file must be readable by its owner only (chmod 600): " + file);
        }
        String text = new String(bytes.get(), StandardCharsets.UTF_8);
        int eol = text.indexOf('\n');
        String line = (eol < 0 ? text : text.substring(0, eol)).trim();
        if (line.length() < MIN_LENGTH) {
            throw new IOException("the token in " + file + " is shorter than " + MIN_LENGTH + " characters");
        }
        return new BearerToken(line.getBytes(StandardCharsets.UTF_8));
    }

    /** True if {@code authorization} is {@code Bearer <this token>}; compares in constant time. */
    boolean matches(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(token, given);
    }

    @Override
    public String toString() {
        return "BearerToken[hidden]";
    }
}
