package dev.slicefine.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.slicefine.archrules.PackageRules;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's packages form layers without cycles, and the engine is a plain library: no Spring, no service code. */
class ArchitectureTest {
    private static final String ROOT = "dev.slicefine.engine";
    private static final JavaClasses ENGINE = PackageRules.mainClasses();

    @Test
    void packagesAreFreeOfCycles() {
        PackageRules.assertFreeOfCycles(ENGINE, ROOT);
    }

    @Test
    void noPackageImportsAPackageAboveIt() {
        PackageRules.assertLayered(ENGINE, ROOT, List.of(
                List.of("", "io", "nn", "tokenizer"),
                List.of("models"),
                List.of("checkpoint", "data"),
                List.of("train"),
                List.of("peft"),
                List.of("artifact"),
                List.of("finetune"),
                List.of("cli")));
    }

    @Test
    void importsNoSpringAndNothingOfTheModulesBuiltOnIt() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta..",
                "dev.slicefine.storage..", "dev.slicefine.worker..", "dev.slicefine.api..", "dev.slicefine.bench..")
                .check(ENGINE);
    }
}
