package dev.forge.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceFilesTest {

    @TempDir
    Path dir;

    private List<String> javaSources() {
        return SourceFiles.javaSources(dir).stream().map(p -> SourceFiles.relativize(dir, p)).toList();
    }

    @Test
    void javaSources_packagesNamedBuildOrTarget_areSourceNotOutput() {
        PlantedProject.write(dir, "pom.xml", "<project/>");
        PlantedProject.write(dir, "src/main/java/dev/forge/build/Runner.java", "class Runner {}");
        PlantedProject.write(dir, "src/main/java/com/acme/target/Aim.java", "class Aim {}");
        PlantedProject.write(dir, "target/generated-sources/Gen.java", "class Gen {}");

        assertThat(javaSources()).containsExactly(
                "src/main/java/com/acme/target/Aim.java", "src/main/java/dev/forge/build/Runner.java");
    }

    @Test
    void javaSources_buildOutputSkippedOnlyNextToItsBuildFile() {
        PlantedProject.write(dir, "app/build.gradle", "");
        PlantedProject.write(dir, "app/build/tmp/Out.java", "class Out {}");
        PlantedProject.write(dir, "lib/target/Kept.java", "class Kept {}");
        PlantedProject.write(dir, "web/node_modules/x/Dep.java", "class Dep {}");
        PlantedProject.write(dir, ".git/hooks/Hook.java", "class Hook {}");
        PlantedProject.write(dir, "src/module-info.java", "module m {}");

        assertThat(javaSources()).containsExactly("lib/target/Kept.java");
    }

    @Test
    void matching_searchesBuildOutputForReportsButNotDependencies() {
        PlantedProject.write(dir, "pom.xml", "<project/>");
        PlantedProject.write(dir, "target/site/jacoco/jacoco.xml", "<report/>");
        PlantedProject.write(dir, "jacoco.xml", "<report/>");
        PlantedProject.write(dir, "node_modules/pkg/jacoco.xml", "<report/>");

        assertThat(SourceFiles.matching(dir, List.of("**/jacoco.xml"))).extracting(p -> SourceFiles.relativize(dir, p))
                .containsExactly("jacoco.xml", "target/site/jacoco/jacoco.xml");
    }

    @Test
    void find_symbolicLinks_notFollowed() throws IOException {
        Path outside = Files.createTempDirectory("outside");
        try {
            PlantedProject.write(outside, "Secret.java", "class Secret {}");
            Files.createSymbolicLink(dir.resolve("linked-dir"), outside);
            Files.createSymbolicLink(dir.resolve("Linked.java"), outside.resolve("Secret.java"));

            assertThat(javaSources()).isEmpty();
        } finally {
            Files.deleteIfExists(outside.resolve("Secret.java"));
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void looksBinary_nulInFirst8k() {
        assertThat(SourceFiles.looksBinary("text\nmore".getBytes())).isFalse();
        assertThat(SourceFiles.looksBinary(new byte[] {'a', 0, 'b'})).isTrue();
        byte[] late = new byte[9000];
        java.util.Arrays.fill(late, (byte) 'a');
        late[8500] = 0;
        assertThat(SourceFiles.looksBinary(late)).isFalse();
    }

    @Test
    void sha256_knownVector() {
        assertThat(SourceFiles.sha256("abc".getBytes()))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
