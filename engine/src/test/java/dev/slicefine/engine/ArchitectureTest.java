package dev.slicefine.engine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's packages form layers without cycles, and the engine is a plain library: no Spring, no service code. */
class ArchitectureTest {
    private static final String ROOT = "dev.slicefine.engine";
    /** This module's main classes (surefire runs in the module folder). */
    private static final JavaClasses ENGINE = new ClassFileImporter().importPath(Path.of("target/classes"));

    /** Bottom to top: a package may use its own row and the rows below, never a row above ("" is the root package). */
    private static final List<List<String>> ROWS = List.of(
            List.of("", "io", "nn", "tokenizer"),
            List.of("models"),
            List.of("checkpoint", "data"),
            List.of("train"),
            List.of("peft"),
            List.of("artifact"),
            List.of("finetune"),
            List.of("cli"));

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(ENGINE);
    }

    @Test
    void noPackageImportsAPackageAboveIt() {
        layers(ROOT, ROWS).check(ENGINE);
    }

    @Test
    void importsNoSpringAndNothingOfTheModulesBuiltOnIt() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta..",
                "dev.slicefine.storage..", "dev.slicefine.worker..", "dev.slicefine.api..", "dev.slicefine.bench..")
                .check(ENGINE);
    }

    /** Row i may be used by rows above it only; packages in one row may use each other (the cycle rule still holds). */
    static LayeredArchitecture layers(String root, List<List<String>> rows) {
        LayeredArchitecture arch = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (int i = 0; i < rows.size(); i++) {
            arch = arch.layer(rows.get(i).toString()).definedBy(rows.get(i).stream()
                    .map(p -> p.isEmpty() ? root : root + "." + p + "..").toArray(String[]::new));
        }
        for (int i = 0; i < rows.size(); i++) {
            String[] above = rows.subList(i + 1, rows.size()).stream().map(List::toString).toArray(String[]::new);
            arch = above.length == 0 ? arch.whereLayer(rows.get(i).toString()).mayNotBeAccessedByAnyLayer()
                    : arch.whereLayer(rows.get(i).toString()).mayOnlyBeAccessedByLayers(above);
        }
        return arch;
    }
}
