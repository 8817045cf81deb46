package dev.forge.project;

import dev.forge.Internal;
import dev.forge.project.ProjectSpec.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Detects a project's build tool from the files at the top of its source and returns the
 * default steps: a build step that skips tests, then a test step. The first match wins, in this
 * order: Maven, Gradle, npm, Make, Cargo, Go.
 */
@Internal
public final class BuildTools {

    private BuildTools() {
    }

    /**
     * The default steps for the source in {@code dir}, or an empty list when no known build file
     * is there.
     */
    public static List<Step> detect(Path dir) {
        if (isFile(dir, "pom.xml")) {
            return List.of(
                    new Step("build", List.of("mvn", "-B", "-q", "package", "-DskipTests")),
                    new Step("test", List.of("mvn", "-B", "test")));
        }
        if (isFile(dir, "build.gradle") || isFile(dir, "build.gradle.kts")) {
            // --no-daemon: a daemon would outlive the build, and a build leaves no process behind
            String gradle = isFile(dir, "gradlew") ? "./gradlew" : "gradle";
            return List.of(
                    new Step("build", List.of(gradle, "build", "-x", "test", "--no-daemon")),
                    new Step("test", List.of(gradle, "test", "--no-daemon")));
        }
        if (isFile(dir, "package.json")) {
            // npm ci needs a lock file and fails without one; install is the fallback
            boolean locked = isFile(dir, "package-lock.json") || isFile(dir, "npm-shrinkwrap.json");
            return List.of(
                    new Step("build", List.of("npm", locked ? "ci" : "install")),
                    new Step("test", List.of("npm", "test")));
        }
        if (isFile(dir, "Makefile") || isFile(dir, "makefile") || isFile(dir, "GNUmakefile")) {
            return List.of(
                    new Step("build", List.of("make")),
                    new Step("test", List.of("make", "test")));
        }
        if (isFile(dir, "Cargo.toml")) {
            return List.of(
                    new Step("build", List.of("cargo", "build")),
                    new Step("test", List.of("cargo", "test")));
        }
        if (isFile(dir, "go.mod")) {
            return List.of(
                    new Step("build", List.of("go", "build", "./...")),
                    new Step("test", List.of("go", "test", "./...")));
        }
        return List.of();
    }

    private static boolean isFile(Path dir, String name) {
        return Files.isRegularFile(dir.resolve(name));
    }
}
