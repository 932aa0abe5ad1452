/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.testkit;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

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
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.NullMarked;

/**
 * The checks a {@code module-info} would make, for the modules' boundary tests (ArchUnit): which
 * packages are API, that no API signature names a type the API must not expose, and that packages are
 * {@code @NullMarked}. See {@code docs/embedding.md}.
 */
public final class ApiBoundary {
    /** The project's root package. */
    public static final String ROOT = "io.github.crdtmemory";
    /** The package only this project's modules may use. */
    public static final String INTERNAL = ROOT + ".internal";

    private ApiBoundary() {
    }

    /**
     * Imports the main classes of the modules that hold {@code anchors}, from where they were loaded (a
     * class directory in the reactor, or a jar), without resolving the JDK and libraries they name.
     *
     * @param anchors one class of each module
     * @return the classes
     */
    public static JavaClasses mainClassesOf(Class<?>... anchors) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importLocations(Arrays.stream(anchors).map(ApiBoundary::origin).collect(Collectors.toSet()));
    }

    /**
     * Fails unless a public or protected signature (supertypes, methods, constructors, fields, thrown
     * types, type arguments) of an accessible class of {@code api} names no type of a package that
     * {@code hidden} accepts.
     *
     * @param classes the imported classes
     * @param api the API packages
     * @param hidden which packages the API must not expose
     */
    public static void checkSignatures(JavaClasses classes, Collection<String> api, Predicate<String> hidden) {
        classes().that().resideInAnyPackage(api.toArray(String[]::new))
                .should(new ArchCondition<>("name no hidden type in a public or protected signature") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        if (!accessible(c)) {
                            return;
                        }
                        for (JavaType t : exposedTypes(c)) {
                            for (JavaClass raw : t.getAllInvolvedRawTypes()) {
                                if (hidden.test(raw.getPackageName())) {
                                    events.add(SimpleConditionEvent.violated(c, c.getName() + " exposes "
                                            + raw.getName() + " in its API"));
                                }
                            }
                        }
                    }
                })
                .check(classes);
    }

    /**
     * Fails naming the packages whose {@code package-info} is not {@code @NullMarked}.
     *
     * @param classes the imported classes
     * @param packages the packages to check
     */
    public static void checkNullMarked(JavaClasses classes, Collection<String> packages) {
        List<String> unmarked = packages.stream()
                .filter(p -> !classes.getPackage(p).isAnnotatedWith(NullMarked.class)).sorted().toList();
        if (!unmarked.isEmpty()) {
            throw new AssertionError("packages without @NullMarked in their package-info: " + unmarked);
        }
    }

    private static List<JavaType> exposedTypes(JavaClass c) {
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
        return named;
    }

    /** Whether code outside the package can reach the class: it and every class around it is public. */
    private static boolean accessible(JavaClass c) {
        for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
            if (!k.get().getModifiers().contains(JavaModifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    private static boolean exposed(Set<JavaModifier> modifiers) {
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static Location origin(Class<?> c) {
        try {
            return Location.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
