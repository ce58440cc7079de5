package dev.slicefine.storage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Storage sits below the worker and the api: it moves bytes and counts references, and knows no job, model or HTTP. */
class ArchitectureTest {
    /** This module's main classes (surefire runs in the module folder). */
    private static final JavaClasses STORAGE = new ClassFileImporter().importPath(Path.of("target/classes"));

    @Test
    void importsNothingOfTheEngineWorkerOrApiAndNoWebStack() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.slicefine.engine..", "dev.slicefine.worker..",
                "dev.slicefine.api..", "org.springframework.web..", "jakarta.servlet..").check(STORAGE);
    }
}
