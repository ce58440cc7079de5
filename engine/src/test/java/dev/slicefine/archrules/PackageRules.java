package dev.slicefine.archrules;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.nio.file.Path;
import java.util.List;

/**
 * The package rules every module's {@code ArchitectureTest} applies (shared through the engine's test-jar): top-level
 * packages free of cycles, and layers that only import downwards.
 */
public final class PackageRules {
    private PackageRules() {}

    /** The main classes of the module under test (surefire runs in the module folder). */
    public static JavaClasses mainClasses() {
        return new ClassFileImporter().importPath(Path.of("target/classes"));
    }

    /** No cycle between the packages directly under {@code root} (each with its sub-packages). */
    public static void assertFreeOfCycles(JavaClasses classes, String root) {
        slices().matching(root + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    /**
     * {@code rows} lists the packages under {@code root} from the bottom up ("" is {@code root} itself): a package may
     * use its own row and the rows below, never a row above. Every named package must exist.
     */
    public static void assertLayered(JavaClasses classes, String root, List<List<String>> rows) {
        LayeredArchitecture arch = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (List<String> row : rows) {
            arch = arch.layer(row.toString()).definedBy(row.stream()
                    .map(p -> p.isEmpty() ? root : root + "." + p + "..").toArray(String[]::new));
        }
        for (int i = 0; i < rows.size(); i++) {
            String[] above = rows.subList(i + 1, rows.size()).stream().map(List::toString).toArray(String[]::new);
            arch = above.length == 0 ? arch.whereLayer(rows.get(i).toString()).mayNotBeAccessedByAnyLayer()
                    : arch.whereLayer(rows.get(i).toString()).mayOnlyBeAccessedByLayers(above);
        }
        arch.check(classes);
    }
}
