/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a byte count: {@code 1048576}, {@code 512KiB}, {@code 64MiB} or {@code 1GiB}; must be positive. */
final class SizeConverter implements ITypeConverter<Long> {
    private static final Pattern FORM = Pattern.compile("(\\d{1,12})\\s*(b|kib|mib|gib)?");

    @Override
    public Long convert(String value) {
        Matcher m = FORM.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a size like 1048576, 512KiB, 64MiB or 1GiB");
        }
        long n = Long.parseLong(m.group(1));
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "kib" -> 10;
            case "mib" -> 20;
            case "gib" -> 30;
            default -> 0;
        };
        if (n == 0 || n > (Long.MAX_VALUE >> shift)) {
            throw new TypeConversionException("the size must be positive and below 2^63 bytes: '" + value + "'");
        }
        return n << shift;
    }
}
