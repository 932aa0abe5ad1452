/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Removes credentials from text before it reaches a message, a {@code toString} or a log line: the
 * user information of URLs ({@code https://user:token@host} becomes {@code https://***@host}; everything
 * between {@code //} and the last {@code @} before the host, whatever characters it holds),
 * {@code Authorization:} header values, and the values of {@code token}, {@code access_token},
 * {@code password} and similar query or config parameters, and bare GitHub and GitLab tokens
 * ({@code ghp_...}, {@code github_pat_...}, {@code glpat-...}). Stateless and thread-safe. Not API.
 */
public final class Redaction {
    /** What every removed secret is replaced with. */
    public static final String MASK = "***";

    private static final Pattern SCHEME = Pattern.compile("(?i)\\b[a-z][a-z0-9+.-]*://");
    private static final Pattern AUTH_HEADER = Pattern.compile(
            "(?i)((?:proxy-)?authorization\\s*[:=]\\s*)(?:(basic|bearer|token)\\s+)?[^\\s'\"]+");
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)\\b((?:access_?token|auth_?token|token|password|passwd|secret|private_token|api_?key)"
                    + "\\s*[=:]\\s*)[^\\s&'\"]+");

    private static final Pattern TOKEN = Pattern.compile(
            "\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})");

    private Redaction() {
    }

    /**
     * Returns {@code text} with every credential masked.
     *
     * @param text any text; null gives {@code ""}
     * @return the redacted text
     */
    public static String redact(@Nullable String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String out = maskUserInfo(text);
        out = AUTH_HEADER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(
                m.group(1) + (m.group(2) == null ? "" : m.group(2) + " ") + MASK));
        out = SECRET_PARAM.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK));
        return TOKEN.matcher(out).replaceAll(Matcher.quoteReplacement(MASK));
    }

    /**
     * Whether {@code location} holds a credential: something {@link #redact} masks, other than the user
     * name of an ssh URL ({@code ssh://git@host/...}, {@code git+ssh://...}), which names an account
     * and authenticates nothing. An ssh URL with a password ({@code ssh://user:pw@host}) holds one.
     *
     * @param location a store location or URL; null holds none
     * @return true if showing it would show a secret
     */
    public static boolean holdsCredentials(@Nullable String location) {
        if (location == null || location.isEmpty()) {
            return false;
        }
        String lower = location.toLowerCase(Locale.ROOT);
        String plain = location;
        for (String ssh : new String[] {"ssh://", "git+ssh://"}) {
            if (lower.startsWith(ssh)) {
                int slash = location.indexOf('/', ssh.length());
                int at = location.lastIndexOf('@', (slash < 0 ? location.length() : slash) - 1);
                if (at >= ssh.length() && location.substring(ssh.length(), at).matches("[^:@\\s]+")) {
                    plain = location.substring(0, ssh.length()) + location.substring(at + 1);
                }
            }
        }
        return !redact(plain).equals(plain);
    }

    /**
     * Masks the user information of every {@code scheme://} URL: everything from {@code //} to the last
     * {@code @} before the host ends, at the first {@code /} (or line break) after {@code //}. Whatever
     * the user information holds ({@code @}, quotes, spaces) is masked whole; an {@code @} in the path
     * is not a separator. Text after a URL without a path, up to the line's end, is taken for its host,
     * so a later {@code @} on that line masks too much, never too little.
     */
    private static String maskUserInfo(String text) {
        Matcher scheme = SCHEME.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        int from = 0;
        while (from < text.length() && scheme.find(from)) {
            int start = scheme.end();
            int end = start;
            while (end < text.length() && "/\n\r".indexOf(text.charAt(end)) < 0) {
                end++;
            }
            int at = text.lastIndexOf('@', end - 1);
            if (at >= start) {
                out.append(text, copied, start).append(MASK);
                copied = at;
                from = at + 1;
            } else {
                from = start;
            }
        }
        return out.append(text, copied, text.length()).toString();
    }
}
