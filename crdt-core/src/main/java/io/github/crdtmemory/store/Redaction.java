package io.github.crdtmemory.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from text before it reaches a message, a {@code toString} or a log line: the
 * user information of URLs ({@code https://user:token@host} becomes {@code https://***@host}),
 * {@code Authorization:} header values, and the values of {@code token}, {@code access_token},
 * {@code password} and similar query or config parameters, and bare GitHub and GitLab tokens
 * ({@code ghp_...}, {@code github_pat_...}, {@code glpat-...}). Stateless and thread-safe.
 */
public final class Redaction {
    /** What every removed secret is replaced with. */
    public static final String MASK = "***";

    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/\\s@'\"]+@");
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
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String out = USER_INFO.matcher(text).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
        out = AUTH_HEADER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(
                m.group(1) + (m.group(2) == null ? "" : m.group(2) + " ") + MASK));
        out = SECRET_PARAM.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK));
        return TOKEN.matcher(out).replaceAll(Matcher.quoteReplacement(MASK));
    }
}
