/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.git;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static io.github.crdtmemory.testkit.ApiBoundary.INTERNAL;
import static io.github.crdtmemory.testkit.ApiBoundary.ROOT;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.github.crdtmemory.sync.SyncEngine;
import io.github.crdtmemory.testkit.ApiBoundary;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The API boundary of the two libraries, crdt-core and crdt-git, as a {@code module-info} would draw it
 * (docs/embedding.md says why there is none): only the API packages are API, no API signature names a
 * type of {@code io.github.crdtmemory.internal} (which only this project's modules use), the packages
 * depend on each other in layers, crdt-core never on crdt-git, and every package is {@code @NullMarked}.
 */
final class ModuleBoundaryTest {
    /** The exported packages: what a {@code module-info} would list in {@code exports}. */
    static final Set<String> API = Set.of(ROOT + ".core", ROOT + ".memory", ROOT + ".store", ROOT + ".seal",
            ROOT + ".sync", ROOT + ".live", ROOT + ".git");

    private static final JavaClasses LIBRARIES = ApiBoundary.mainClassesOf(SyncEngine.class, GitStore.class);

    @Test
    void theLibrariesWereImported() {
        // the rules below would pass vacuously on nothing
        for (String name : List.of("io.github.crdtmemory.sync.SyncEngine", "io.github.crdtmemory.git.GitStore",
                "io.github.crdtmemory.internal.PrivateFiles")) {
            if (!LIBRARIES.contain(name)) {
                throw new AssertionError("not imported: " + name);
            }
        }
    }

    @Test
    void everyPackageIsApiOrInternal() {
        classes().should().resideInAnyPackage(packages().toArray(String[]::new))
                .because("a new package must be declared API or internal (docs/embedding.md)")
                .check(LIBRARIES);
    }

    @Test
    void noApiSignatureNamesAnInternalType() {
        ApiBoundary.checkSignatures(LIBRARIES, API, INTERNAL::equals);
    }

    @Test
    void everyPackageIsNullMarked() {
        ApiBoundary.checkNullMarked(LIBRARIES, packages());
    }

    @Test
    void packagesDependOnEachOtherInLayers() {
        layeredArchitecture().consideringOnlyDependenciesInAnyPackage(ROOT + "..")
                .layer("core").definedBy(ROOT + ".core")
                .layer("memory").definedBy(ROOT + ".memory")
                .layer("store").definedBy(ROOT + ".store")
                .layer("seal").definedBy(ROOT + ".seal")
                .layer("sync").definedBy(ROOT + ".sync")
                .layer("live").definedBy(ROOT + ".live")
                .layer("internal").definedBy(INTERNAL)
                .layer("git").definedBy(ROOT + ".git")
                .whereLayer("core").mayOnlyAccessLayers("internal")
                .whereLayer("memory").mayOnlyAccessLayers("core", "internal")
                // store options carry a keyring and encryption failures are store failures: one layer in two packages
                .whereLayer("store").mayOnlyAccessLayers("core", "memory", "seal", "internal")
                .whereLayer("seal").mayOnlyAccessLayers("core", "store", "internal")
                .whereLayer("internal").mayOnlyAccessLayers("core", "memory", "store")
                .whereLayer("sync").mayOnlyAccessLayers("core", "memory", "store", "seal", "internal")
                .whereLayer("live").mayOnlyAccessLayers("core", "memory", "store", "seal", "internal")
                .whereLayer("git").mayOnlyAccessLayers("core", "memory", "store", "seal", "internal")
                .because("crdt-core never depends on crdt-git, and the pure CRDT packages never on I/O")
                .check(LIBRARIES);
    }

    private static List<String> packages() {
        List<String> packages = new ArrayList<>(API);
        packages.add(INTERNAL);
        return packages;
    }
}
