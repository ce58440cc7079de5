package dev.slicefine.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The benchmarks drive the engine as a library, as the worker does: no Spring, nothing of the service modules. */
class ArchitectureTest {
    /** This module's main classes (surefire runs in the module folder). */
    private static final JavaClasses BENCH = new ClassFileImporter().importPath(Path.of("target/classes"));

    @Test
    void usesOnlyTheEngine() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "dev.slicefine.storage..",
                "dev.slicefine.worker..", "dev.slicefine.api..").check(BENCH);
    }
}
