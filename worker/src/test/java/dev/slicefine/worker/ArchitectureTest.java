package dev.slicefine.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.slicefine.archrules.PackageRules;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worker's packages form layers without cycles; the worker knows nothing of the api (the two talk only through the
 * database and storage).
 */
class ArchitectureTest {
    private static final String ROOT = "dev.slicefine.worker";
    private static final JavaClasses WORKER = PackageRules.mainClasses();

    @Test
    void packagesAreFreeOfCycles() {
        PackageRules.assertFreeOfCycles(WORKER, ROOT);
    }

    @Test
    void noPackageImportsAPackageAboveIt() {
        // "" (the application, its configuration and the pool) sits on top.
        PackageRules.assertLayered(WORKER, ROOT, List.of(List.of("jobs"), List.of("run"), List.of("")));
    }

    @Test
    void importsNothingOfTheApi() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.slicefine.api..", "dev.slicefine.bench..")
                .check(WORKER);
    }
}
