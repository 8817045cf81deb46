package dev.forge.builds;

/**
 * A tiny Maven project pinned to the plugin and JUnit versions forge itself builds with, so an
 * offline build finds everything in the local repository.
 */
final class MavenFixture {

    private MavenFixture() {
    }

    /**
     * A view of the local Maven repository that other users may read: hard links to its files
     * (nothing is copied, nothing of ~/.m2 changes) in folders of mode 755, under {@code dir}.
     * Builds run as unprivileged users, and ~/.m2 of root is closed to them.
     */
    static java.nio.file.Path readableRepository(java.nio.file.Path dir) throws Exception {
        java.nio.file.Path source = java.nio.file.Path.of(System.getProperty("user.home"), ".m2", "repository");
        java.nio.file.Path target = dir.resolve("m2-repository");
        Process copy = new ProcessBuilder("cp", "-al", source.toString(), target.toString())
                .redirectErrorStream(true).start();
        String output = new String(copy.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        org.junit.jupiter.api.Assumptions.assumeTrue(copy.waitFor() == 0,
                "cannot link ~/.m2/repository (" + output.strip() + ")");
        try (var folders = java.nio.file.Files.walk(target)) {
            for (java.nio.file.Path folder : (Iterable<java.nio.file.Path>) folders
                    .filter(java.nio.file.Files::isDirectory)::iterator) {
                java.nio.file.Files.setPosixFilePermissions(folder,
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
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
