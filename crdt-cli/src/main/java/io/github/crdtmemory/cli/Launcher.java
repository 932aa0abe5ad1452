/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.cli;

import io.github.crdtmemory.internal.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The program a schedule runs, checked before anything is installed: it exists, is a regular executable
 * file owned by the user, neither it nor its directory is group- or world-writable (for a symbolic
 * link: neither the target, nor the target's directory, nor the link's directory), and its path holds
 * no shell metacharacter (cron runs the line through {@code /bin/sh}) and no {@code %} (a newline to
 * cron, a specifier to systemd).
 */
final class Launcher {
    /** Characters a path or argument in a schedule line may hold: nothing a shell treats specially. */
    static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._/+@,:=-]+");

    private Launcher() {
    }

    static Path check(Path launcher) {
        Path p = launcher.toAbsolutePath().normalize();
        if (!SAFE.matcher(p.toString()).matches()) {
            throw CommandFailure.usage("unsafe launcher path " + quote(p) + ": only letters, digits and ._/+@,:=- "
                    + "are allowed in a scheduled command");
        }
        try {
            if (!Files.isRegularFile(p)) {
                throw CommandFailure.usage("launcher " + p + " does not exist or is not a regular file");
            }
            if (!Files.isExecutable(p)) {
                throw CommandFailure.usage("launcher " + p + " is not executable (chmod u+x)");
            }
            String user = System.getProperty("user.name");
            Path real = p.toRealPath();
            PosixFileAttributes file = Files.readAttributes(real, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!file.owner().getName().equals(user)) {
                throw CommandFailure.usage("launcher " + p + " is owned by " + file.owner().getName() + ", not " + user);
            }
            writable(real, file.permissions());
            // whoever can write the target's directory can replace the program; the link's directory, the link
            Set<Path> dirs = new LinkedHashSet<>(List.of(real.getParent(), PrivateFiles.parentOf(p).toRealPath()));
            for (Path dir : dirs) {
                writable(dir, Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .permissions());
            }
        } catch (IOException e) {
            throw CommandFailure.usage("cannot check launcher " + p + ": " + e);
        }
        return p;
    }

    /** Refuses a value that would need quoting in a schedule line. */
    static String safe(String what, String value) {
        if (!SAFE.matcher(value).matches()) {
            throw CommandFailure.usage(what + " " + quote(value) + " holds characters a scheduled command cannot carry "
                    + "safely; only letters, digits and ._/+@,:=- are allowed");
        }
        return value;
    }

    private static void writable(Path p, Set<PosixFilePermission> perms) {
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw CommandFailure.usage(p + " is group- or world-writable, so another user could change what the "
                    + "schedule runs; chmod go-w " + p);
        }
    }

    private static String quote(Object value) {
        return "'" + String.valueOf(value).replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
