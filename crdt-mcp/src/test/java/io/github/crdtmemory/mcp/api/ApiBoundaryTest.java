/*
 * Copyright The crdt-memory authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.crdtmemory.mcp.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static io.github.crdtmemory.testkit.ApiBoundary.INTERNAL;
import static io.github.crdtmemory.testkit.ApiBoundary.ROOT;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.github.crdtmemory.testkit.ApiBoundary;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * crdt-mcp's API, {@code io.github.crdtmemory.mcp.api}, stands apart from the server application around
 * it ({@code io.github.crdtmemory.mcp}) as a {@code module-info} would keep it: no API signature names
 * an internal or an application type, the API never uses the application, and both packages are
 * {@code @NullMarked} (docs/embedding.md).
 */
final class ApiBoundaryTest {
    private static final String API = ROOT + ".mcp.api";
    private static final String APPLICATION = ROOT + ".mcp";
    private static final JavaClasses MCP = ApiBoundary.mainClassesOf(MemoryMcp.class);

    @Test
    void theModuleWasImported() {
        if (!MCP.contain(MemoryMcp.class.getName()) || !MCP.contain(APPLICATION + ".MemoryServer")) {
            throw new AssertionError("crdt-mcp's classes were not imported");
        }
    }

    @Test
    void noApiSignatureNamesAnInternalOrApplicationType() {
        ApiBoundary.checkSignatures(MCP, List.of(API), p -> p.equals(INTERNAL) || p.equals(APPLICATION));
    }

    @Test
    void theApiNeverUsesTheApplication() {
        noClasses().that().resideInAPackage(API).should().dependOnClassesThat().resideInAPackage(APPLICATION)
                .because("the server application is built on the API, not the other way round")
                .check(MCP);
    }

    @Test
    void bothPackagesAreNullMarked() {
        ApiBoundary.checkNullMarked(MCP, List.of(API, APPLICATION));
    }
}
