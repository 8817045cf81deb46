package dev.forge.builds;

/**
 * A tiny Maven project pinned to the plugin and JUnit versions forge itself builds with, so an
 * offline build finds everything in the local repository.
 */
final class MavenFixture {

    private MavenFixture() {
    }

    /** A gid above the system groups that no account uses, standing for the operator's "forge-cache". */
    static final int CACHE_GID = 2_099_000_124;

    /**
     * The local Maven repository as root's ~/.m2 is here - below a folder of mode 700 (like
     * /root), its folders of mode 750, closed to other users - shared the way docs/builds.md
     * tells operators to: with a group of its own ({@code chgrp -R forge-cache; chmod -R g+rX}).
     * The files are hard links to those of ~/.m2 (nothing is copied, nothing of ~/.m2 changes:
     * only the new folders get the group), under {@code dir}. Builds run as unprivileged users;
     * forge gives them the repository's group.
     */
    static java.nio.file.Path groupSharedRepository(java.nio.file.Path dir) throws Exception {
        java.nio.file.Path source = java.nio.file.Path.of(System.getProperty("user.home"), ".m2", "repository");
        java.nio.file.Path home = java.nio.file.Files.createDirectories(dir.resolve("home"));
        java.nio.file.Files.setPosixFilePermissions(home,
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        java.nio.file.Path m2 = java.nio.file.Files.createDirectories(home.resolve(".m2"));
        java.nio.file.Path target = m2.resolve("repository");
        Process copy = new ProcessBuilder("cp", "-al", source.toString(), target.toString())
                .redirectErrorStream(true).start();
        String output = new String(copy.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assumptions.assumeTrue(copy.waitFor() == 0,
                "cannot link ~/.m2/repository (" + output.strip() + ")");
        boolean root = "root".equals(System.getProperty("user.name"));
        try (var folders = java.nio.file.Files.walk(m2)) {
            for (java.nio.file.Path folder : (Iterable<java.nio.file.Path>) folders
                    .filter(java.nio.file.Files::isDirectory)::iterator) {
                if (root) {
                    java.nio.file.Files.setAttribute(folder, "unix:gid", CACHE_GID);
                }
                java.nio.file.Files.setPosixFilePermissions(folder,
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
            }
        }
        return target;
    }

    static final String POM = """
            <?xml version="1.0" encoding="UTF-8"?>
            <project xmlns="http://maven.apache.org/POM/4.0.0"
                     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                     xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
              <modelVersion>4.0.0</modelVersion>
              <groupId>fixture</groupId>
              <artifactId>tiny</artifactId>
              <version>1</version>
              <properties>
                <maven.compiler.release>17</maven.compiler.release>
                <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
              </properties>
              <dependencyManagement>
                <dependencies>
                  <dependency>
                    <groupId>org.junit</groupId>
                    <artifactId>junit-bom</artifactId>
                    <version>6.1.3</version>
                    <type>pom</type>
                    <scope>import</scope>
                  </dependency>
                </dependencies>
              </dependencyManagement>
              <dependencies>
                <dependency>
                  <groupId>org.junit.jupiter</groupId>
                  <artifactId>junit-jupiter</artifactId>
                  <scope>test</scope>
                </dependency>
                <dependency>
                  <groupId>org.junit.platform</groupId>
                  <artifactId>junit-platform-launcher</artifactId>
                  <scope>test</scope>
                </dependency>
              </dependencies>
              <build>
                <plugins>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-compiler-plugin</artifactId>
                    <version>3.14.0</version>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-surefire-plugin</artifactId>
                    <version>3.6.1</version>
                  </plugin>
                  <plugin>
                    <groupId>org.apache.maven.plugins</groupId>
                    <artifactId>maven-jar-plugin</artifactId>
                    <version>3.5.1</version>
                  </plugin>
                </plugins>
              </build>
            </project>
            """;

    static final String MAIN = """
            package tiny;

            public final class Calc {
                public static int add(int a, int b) {
                    return a + b;
                }

                public static int half(int a) {
                    return a / 2 + 1;
                }
            }
            """;

    static final String TEST = """
            package tiny;

            import static org.junit.jupiter.api.Assertions.assertEquals;

            import org.junit.jupiter.api.Disabled;
            import org.junit.jupiter.api.Test;

            class CalcTest {
                @Test
                void adds() {
                    assertEquals(3, Calc.add(1, 2));
                }

                @Test
                void divides() {
                    assertEquals(2, Calc.half(4));
                }

                @Test
                @Disabled("not yet")
                void later() {
                }
            }
            """;
}
