package dev.forge;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Keeps forge-core framework-free (adapters depend on core, never the other way round) and its
 * packages free of cycles.
 */
class ArchitectureTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.forge");

    @Test
    void core_importsNoAdapterOrFrameworkTypes() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                "io.javalin..", "redis.clients..", "net.sourceforge.pmd..", "jakarta.servlet..",
                "org.eclipse.jetty..")
                .because("forge-core must stay embeddable without Javalin, Jedis or PMD")
                .check(CORE);
    }

    @Test
    void core_doesNotDependOnAdapterModules() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                "dev.forge.http..", "dev.forge.redis..", "dev.forge.analysis.pmd..", "dev.forge.examples..")
                .check(CORE);
    }

    @Test
    void corePackages_areFreeOfCycles() {
        // dev.forge itself (Forge, the exception root) sits on top and is no slice.
        slices().matching("dev.forge.(*)..").should().beFreeOfCycles()
                .because("a package's public API sits at its root and helpers point one way")
                .check(CORE);
    }
}
