package dev.slicefine.worker;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worker's packages form layers without cycles; the worker knows nothing of the api (the two talk only through the
 * database and storage).
 */
class ArchitectureTest {
    private static final String ROOT = "dev.slicefine.worker";
    /** This module's main classes (surefire runs in the module folder). */
    private static final JavaClasses WORKER = new ClassFileImporter().importPath(Path.of("target/classes"));

    /** Bottom to top: a package may use its own row and the rows below, never a row above ("" is the root package). */
    private static final List<List<String>> ROWS = List.of(
            List.of("jobs"),
            List.of("run"),
            List.of(""));

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(WORKER);
    }

    @Test
    void noPackageImportsAPackageAboveIt() {
        layers(ROOT, ROWS).check(WORKER);
    }

    @Test
    void importsNothingOfTheApi() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("dev.slicefine.api..", "dev.slicefine.bench..")
                .check(WORKER);
    }

    /** As the engine's ArchitectureTest: row i may be used by the rows above it only. */
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
