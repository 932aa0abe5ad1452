/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.crdtmemory.internal.JsonOutput;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The JSON Canonicalization Scheme (RFC 8785): object members sorted by the UTF-16 code units of
 * their names, no whitespace, strings with the minimal escapes, numbers as ECMAScript writes an IEEE
 * double (shortest round-tripping digits). Equal JSON values give equal bytes.
 */
final class CanonicalJson {
    private CanonicalJson() {
    }

    static byte[] bytes(JsonNode node) {
        return text(node).getBytes(StandardCharsets.UTF_8);
    }

    static String text(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case NULL, MISSING -> out.append("null");
            case BOOLEAN -> out.append(node.booleanValue());
            case NUMBER -> out.append(number(node.doubleValue()));
            case STRING -> string(node.textValue(), out);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case OBJECT -> {
                List<String> names = new ArrayList<>();
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                names.sort(String::compareTo); // String order is UTF-16 code unit order, as RFC 8785 asks
                out.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    string(names.get(i), out);
                    out.append(':');
                    write(node.get(names.get(i)), out);
                }
                out.append('}');
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append(JsonOutput.quote(s)); // RFC 8785 strings are JSON.stringify's
    }

    /** ECMAScript's Number.prototype.toString for a finite double (ECMA-262, 7.1.12.1). */
    static String number(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            throw new IllegalArgumentException("RFC 8785 has no form for " + x);
        }
        if (x == 0) {
            return "0";
        }
        String sign = x < 0 ? "-" : "";
        BigDecimal exact = new BigDecimal(Math.abs(x));
        BigDecimal shortest = exact;
        for (int p = 1; p <= 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == Math.abs(x)) {
                shortest = r;
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        String s = shortest.unscaledValue().toString();
        int k = s.length();
        int n = k - shortest.scale();
        StringBuilder out = new StringBuilder(sign);
        if (k <= n && n <= 21) {
            out.append(s).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(s, 0, n).append('.').append(s, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(s);
        } else {
            int e = n - 1;
            out.append(s.charAt(0));
            if (k > 1) {
                out.append('.').append(s, 1, k);
            }
            out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return out.toString();
    }
}
