/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A remote URL split in two: the location, which git may put on a command line (it starts remote
 * helpers as {@code git-remote-https origin <url>}, readable by every local user in
 * {@code /proc/<pid>/cmdline}), and the credential of an {@code https} URL's user information, which
 * must travel only in git's environment. The user information is everything between {@code //} and
 * the last {@code @} before the first {@code /}; it is percent-decoded as git decodes it, and becomes
 * a preemptive {@code Authorization: Basic} header (user, {@code :}, password; a token alone as the
 * user name gives an empty password). Other URLs and paths are kept as they are: an ssh user name is
 * no secret, and {@link GitStoreOptions} refuses passwords in ssh and file URLs. Immutable;
 * {@link #toString()} shows the location only.
 */
final class RemoteUrl {
    private final String location;
    private final @Nullable String authorization;

    private RemoteUrl(String location, @Nullable String authorization) {
        this.location = location;
        this.authorization = authorization;
    }

    /** Splits {@code remote}; an {@code https} URL loses its user information, which becomes the credential. */
    static RemoteUrl parse(String remote) {
        int at = userInfoEnd(remote);
        if (at < 0 || !remote.toLowerCase(Locale.ROOT).startsWith("https://")) {
            return new RemoteUrl(remote, null);
        }
        int start = "https://".length();
        String userInfo = remote.substring(start, at);
        String location = remote.substring(0, start) + remote.substring(at + 1);
        int colon = userInfo.indexOf(':');
        String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new RemoteUrl(location, "Basic " + basic);
    }

    /**
     * The index of the {@code @} that ends the user information of a {@code scheme://} URL (the last one
     * before the first {@code /} after {@code //}), or -1 if it has none.
     */
    static int userInfoEnd(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return -1;
        }
        int start = scheme + 3;
        int slash = url.indexOf('/', start);
        int at = url.lastIndexOf('@', (slash < 0 ? url.length() : slash) - 1);
        return at >= start ? at : -1;
    }

    /** The URL without a credential: safe on a command line and in messages. */
    String location() {
        return location;
    }

    /** The {@code Authorization} header value ({@code Basic ...}) for an https URL that carried one. */
    Optional<String> authorization() {
        return Optional.ofNullable(authorization);
    }

    /** {@code %XX} decoded as UTF-8 bytes, as git decodes user information; a malformed escape stays as it is. */
    private static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                out.write(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit((char) b, 16);
    }

    @Override
    public String toString() {
        return location;
    }
}
