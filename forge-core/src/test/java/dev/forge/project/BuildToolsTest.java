package dev.forge.project;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.project.ProjectSpec.Step;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BuildToolsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            pom.xml          | mvn -B -q package -DskipTests | mvn -B test
            build.gradle     | gradle build -x test --no-daemon | gradle test --no-daemon
            build.gradle.kts | gradle build -x test --no-daemon | gradle test --no-daemon
            package.json     | npm install                   | npm test
            Makefile         | make                          | make test
            GNUmakefile      | make                          | make test
            Cargo.toml       | cargo build                   | cargo test
            go.mod           | go build ./...                | go test ./...
            """)
    void detect_buildFile_givesBuildThenTestSteps(String file, String build, String test)
            throws IOException {
        Fixtures.write(dir, file, "");

        assertThat(BuildTools.detect(dir)).containsExactly(
                new Step("build", List.of(build.split(" "))),
                new Step("test", List.of(test.split(" "))));
    }

    @Test
    void detect_gradleWithWrapper_usesTheWrapper() throws IOException {
        Fixtures.write(dir, "build.gradle", "");
        Fixtures.write(dir, "gradlew", "#!/bin/sh\n");

        assertThat(BuildTools.detect(dir).get(1).run()).containsExactly("./gradlew", "test", "--no-daemon");
    }

    @Test
    void detect_npmWithLockFile_usesCi() throws IOException {
        Fixtures.write(dir, "package.json", "{}");
        Fixtures.write(dir, "package-lock.json", "{}");

        assertThat(BuildTools.detect(dir).get(0).run()).containsExactly("npm", "ci");
    }

    @Test
    void detect_severalBuildFiles_mavenWinsOverMake() throws IOException {
        Fixtures.write(dir, "Makefile", "");
        Fixtures.write(dir, "pom.xml", "");

        assertThat(BuildTools.detect(dir).get(0).run().get(0)).isEqualTo("mvn");
    }

    @Test
    void detect_nothingKnown_isEmpty() throws IOException {
        Fixtures.write(dir, "README.md", "hi");
        Fixtures.write(dir, "sub/pom.xml", "");

        assertThat(BuildTools.detect(dir)).isEmpty();
    }
}
