package io.github.crdtmemory.git;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.github.crdtmemory.sync.SyncEngine;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.NullMarked;
import org.junit.jupiter.api.Test;

/**
 * The API boundary of the two published libraries, crdt-core and crdt-git, as a {@code module-info}
 * would draw it (docs/embedding.md says why there is none): only the API packages are API, no API
 * signature names a type of {@code io.github.crdtmemory.internal} (which only this project's modules
 * use), the packages depend on each other in layers, crdt-core never on crdt-git, and every package
 * is {@code @NullMarked}.
 */
final class ModuleBoundaryTest {
    static final String ROOT = "io.github.crdtmemory";
    static final String INTERNAL = ROOT + ".internal";
    /** The exported packages: what a {@code module-info} would list in {@code exports}. */
    static final Set<String> API = Set.of(ROOT + ".core", ROOT + ".memory", ROOT + ".store", ROOT + ".sync",
            ROOT + ".live", ROOT + ".git");

    /** The main classes of both modules, from where they were loaded (a directory in the reactor, or a jar). */
    private static final JavaClasses LIBRARIES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importLocations(Set.of(origin(SyncEngine.class), origin(GitStore.class)));

    @Test
    void theLibrariesWereImported() {
        // the rules below would pass vacuously on nothing
        assertSeen("io.github.crdtmemory.sync.SyncEngine");
        assertSeen("io.github.crdtmemory.git.GitStore");
        assertSeen("io.github.crdtmemory.internal.PrivateFiles");
    }

    @Test
    void everyPackageIsApiOrInternal() {
        List<String> packages = new ArrayList<>(API);
        packages.add(INTERNAL);
        classes().should().resideInAnyPackage(packages.toArray(String[]::new))
                .because("a new package must be declared API or internal (docs/embedding.md)")
                .check(LIBRARIES);
    }

    @Test
    void noApiSignatureNamesAnInternalType() {
        classes().that().resideInAnyPackage(API.toArray(String[]::new))
                .should(new ArchCondition<>("name no internal type in a public or protected signature") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        if (!accessible(c)) {
                            return;
                        }
                        List<JavaType> named = new ArrayList<>();
                        c.getRawSuperclass().ifPresent(named::add);
                        named.addAll(c.getRawInterfaces());
                        for (JavaCodeUnit unit : c.getCodeUnits()) {
                            if (exposed(unit.getModifiers())) {
                                named.add(unit.getReturnType());
                                named.addAll(unit.getParameterTypes());
                                unit.getThrowsClause().getTypes().forEach(named::add);
                            }
                        }
                        for (JavaField f : c.getFields()) {
                            if (exposed(f.getModifiers())) {
                                named.add(f.getType());
                            }
                        }
                        for (JavaType t : named) {
                            for (JavaClass raw : t.getAllInvolvedRawTypes()) {
                                if (raw.getPackageName().equals(INTERNAL)) {
                                    events.add(SimpleConditionEvent.violated(c, c.getName() + " exposes "
                                            + raw.getName() + " in its API"));
                                }
                            }
                        }
                    }
                })
                .check(LIBRARIES);
    }

    @Test
    void everyPackageIsNullMarked() {
        List<String> packages = new ArrayList<>(API);
        packages.add(INTERNAL);
        List<String> unmarked = packages.stream()
                .filter(p -> !LIBRARIES.getPackage(p).isAnnotatedWith(NullMarked.class)).sorted().toList();
        if (!unmarked.isEmpty()) {
            throw new AssertionError("packages without @NullMarked in their package-info: " + unmarked);
        }
    }

    @Test
    void packagesDependOnEachOtherInLayers() {
        layeredArchitecture().consideringOnlyDependenciesInAnyPackage(ROOT + "..")
                .layer("core").definedBy(ROOT + ".core")
                .layer("memory").definedBy(ROOT + ".memory")
                .layer("store").definedBy(ROOT + ".store")
                .layer("sync").definedBy(ROOT + ".sync")
                .layer("live").definedBy(ROOT + ".live")
                .layer("internal").definedBy(INTERNAL)
                .layer("git").definedBy(ROOT + ".git")
                .whereLayer("core").mayOnlyAccessLayers("internal")
                .whereLayer("memory").mayOnlyAccessLayers("core", "internal")
                .whereLayer("store").mayOnlyAccessLayers("core", "memory", "internal")
                .whereLayer("internal").mayOnlyAccessLayers("core", "memory", "store")
                .whereLayer("sync").mayOnlyAccessLayers("core", "memory", "store", "internal")
                .whereLayer("live").mayOnlyAccessLayers("core", "memory", "store", "internal")
                .whereLayer("git").mayOnlyAccessLayers("core", "memory", "store", "internal")
                .because("crdt-core never depends on crdt-git, and the pure CRDT packages never on I/O")
                .check(LIBRARIES);
    }

    /** Whether code outside the package can reach the class: it and every class around it is public. */
    static boolean accessible(JavaClass c) {
        for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
            if (!k.get().getModifiers().contains(JavaModifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    private static Location origin(Class<?> c) {
        try {
            return Location.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean exposed(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static void assertSeen(String name) {
        if (!LIBRARIES.contain(name)) {
            throw new AssertionError("not imported: " + name);
        }
    }
}
