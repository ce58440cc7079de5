package dev.slicefine.api;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.slicefine.archrules.PackageRules;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The api is packaged by feature; its feature packages form layers without cycles (shared code sits below them). */
class ArchitectureTest {
    private static final String ROOT = "dev.slicefine.api";
    private static final JavaClasses API = PackageRules.mainClasses();

    @Test
    void packagesAreFreeOfCycles() {
        PackageRules.assertFreeOfCycles(API, ROOT);
    }

    @Test
    void noPackageImportsAPackageAboveIt() {
        PackageRules.assertLayered(API, ROOT, List.of(
                List.of("common"),
                List.of("files"),
                List.of("auth"),
                List.of("models"),
                List.of("datasets"),
                List.of("jobs"),
                List.of("artifacts", "uploads", "workers"),
                List.of("")));
    }

    @Test
    void usesTheWorkerOnlyThroughItsQueueConfigAndPool() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.slicefine.worker.run..", "dev.slicefine.bench..")
                .check(API);
    }
}
