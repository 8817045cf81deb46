package dev.forge.analysis.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.Finding;
import dev.forge.analysis.PlantedProject;
import dev.forge.analysis.Severity;
import dev.forge.testing.RecordingTaskContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsAnalyzerTest {

    @TempDir
    Path dir;

    private final RecordingTaskContext context = RecordingTaskContext.forAnalysis("demo", List.of("security"));

    private List<Finding> scan() {
        return scan(new SecretsAnalyzer());
    }

    private List<Finding> scan(SecretsAnalyzer analyzer) {
        return analyzer.analyze(dir, PlantedProject.spec(dir), Set.of(AnalysisType.SECURITY), context)
                .findings();
    }

    @Test
    void analyze_plantedProject_findsAwsKeyAndPasswordAtTheirLines() {
        PlantedProject.full(dir);

        List<Finding> findings = scan();

        assertThat(findings).anySatisfy(f -> {
            assertThat(f.ruleId()).isEqualTo("secret-aws-access-key");
            assertThat(f.file()).isEqualTo(PlantedProject.PROPERTIES);
            assertThat(f.line()).isEqualTo(2);
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(f.category()).isEqualTo(AnalysisType.SECURITY);
            assertThat(f.tool()).isEqualTo("secrets");
        });
        assertThat(findings).anySatisfy(f -> {
            assertThat(f.ruleId()).isEqualTo("secret-assignment");
            assertThat(f.file()).isEqualTo(PlantedProject.CONFIG);
            assertThat(f.line()).isEqualTo(PlantedProject.line(dir, PlantedProject.CONFIG, "password ="));
            assertThat(f.message()).contains("'password'");
        });
        assertThat(findings).hasSize(2);
    }

    @Test
    void analyze_messages_neverContainTheSecret() {
        PlantedProject.full(dir);
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsInJvbGUiOiJhZG1pbiJ9.c2lnbmF0dXJlLXZhbHVlLWhlcmU";
        PlantedProject.write(dir, "src/test/resources/token.txt", "Authorization: Bearer " + jwt + "\n");

        List<Finding> findings = scan();

        assertThat(findings).hasSize(3);
        assertThat(findings).allSatisfy(f -> assertThat(f.message())
                .doesNotContain(PlantedProject.AWS_KEY)
                .doesNotContain(PlantedProject.AWS_KEY.substring(4))
                .doesNotContain(PlantedProject.PASSWORD)
                .doesNotContain(jwt.substring(0, 20)));
        assertThat(context.logText()).doesNotContain(PlantedProject.PASSWORD);
    }

    @Test
    void analyze_privateKeyBlock_reportedAtBeginLine() {
        PlantedProject.write(dir, "deploy/id_rsa", "\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow==\n-----END RSA PRIVATE KEY-----\n");

        assertThat(scan()).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("secret-private-key");
            assertThat(f.line()).isEqualTo(2);
            assertThat(f.message()).doesNotContain("MIIEow");
        });
    }

    @Test
    void analyze_jwtInJson_found() {
        PlantedProject.write(dir, "config/app.json", "{\n  \"session\": \"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U\"\n}\n");

        assertThat(scan()).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("secret-jwt");
            assertThat(f.line()).isEqualTo(2);
        });
    }

    @Test
    void analyze_genericAssignments_quotedAnywhereBareInConfigFiles() {
        PlantedProject.write(dir, "app.py", "API_KEY = 'sk_live_51Habcdefg12345'\nname = 'demo'\n");
        PlantedProject.write(dir, ".env", "DB_PASSWORD=pr0d-Passw0rd-2024\nDEBUG=true\n");
        PlantedProject.write(dir, "notes.md", "set the secret=value in your shell\n");

        List<Finding> findings = scan();

        assertThat(findings).extracting(Finding::file, Finding::line)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(".env", 1),
                        org.assertj.core.groups.Tuple.tuple("app.py", 1));
    }

    @Test
    void analyze_highEntropyString_flaggedButHashesAndWordsAreNot() {
        PlantedProject.write(dir, "src/Keys.java", """
                class Keys {
                    String signing = "q8Zt3LmN0vX7rK2pW9sY4bJ6hD1cF5gT";
                    String sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
                    String name = "ThisIsJustAVeryLongIdentifierName";
                    String digits = "0123456789abcdefghijklmnopqrstuvwxyzABC";
                    /** See <a id="iso8601_compatible_setting">the setting</a>. */
                    String lower = "k3j5h6g7f8d9s0a1q2w3e4r5t6";
                }
                """);

        assertThat(scan()).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("secret-high-entropy");
            assertThat(f.line()).isEqualTo(2);
        });
    }

    @Test
    void analyze_placeholdersAndDescriptiveNames_notFlagged() {
        PlantedProject.write(dir, "src/Names.java", """
                class Names {
                    static final String PASSWORD_FIELD = "password";
                    static final String TOKEN_HEADER = "Authorization";
                    String password = "${DB_PASSWORD}";
                    String secret = "changeme";
                    String apiKey = "xxxxxxxx";
                    String token = "<your-token-here>";
                }
                """);
        PlantedProject.write(dir, "application.yml", "spring:\n  datasource:\n    password: ${DB_PASSWORD}\n");

        assertThat(scan()).isEmpty();
    }

    @Test
    void analyze_skippedPlaces_binaryBuildOutputVcsDependenciesAndLargeFiles() throws IOException {
        String line = "aws=" + PlantedProject.AWS_KEY + "\n";
        Files.write(PlantedProject.write(dir, "lib/blob.bin", "").toAbsolutePath(),
                ("\0\0binary" + line).getBytes());
        PlantedProject.write(dir, ".git/config", line);
        PlantedProject.write(dir, "pom.xml", "<project/>\n");
        PlantedProject.write(dir, "target/classes/app.properties", line);
        PlantedProject.write(dir, "node_modules/x/index.js", line);
        PlantedProject.write(dir, "big.txt", "x".repeat(2000) + "\n" + line);

        assertThat(scan(new SecretsAnalyzer(1000, 100))).isEmpty();
        assertThat(scan(new SecretsAnalyzer(1_000_000, 100))).extracting(Finding::file).containsExactly("big.txt");
    }

    @Test
    void analyze_symbolicLinkOutOfWorkspace_notFollowed() throws IOException {
        Path outside = Files.createTempFile("outside", ".properties");
        Files.writeString(outside, "aws=" + PlantedProject.AWS_KEY + "\n");
        try {
            Files.createSymbolicLink(dir.resolve("linked.properties"), outside);
            assertThat(scan()).isEmpty();
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void analyze_unchangedFiles_scannedOnce() {
        PlantedProject.full(dir);
        SecretsAnalyzer analyzer = new SecretsAnalyzer();

        List<Finding> first = scan(analyzer);
        int scans = analyzer.scans();
        List<Finding> second = scan(analyzer);

        assertThat(second).isEqualTo(first);
        assertThat(scans).isPositive();
        assertThat(analyzer.scans()).isEqualTo(scans);
    }

    @Test
    void constructor_badBounds_rejectedWithTheValue() {
        assertThatThrownBy(() -> new SecretsAnalyzer(0, 10)).hasMessageContaining("maxFileBytes").hasMessageContaining("0");
        assertThatThrownBy(() -> new SecretsAnalyzer(10, -1)).hasMessageContaining("cacheSize").hasMessageContaining("-1");
    }

    @Test
    void entropy_uniformAndRepeated() {
        assertThat(SecretRules.entropy("aaaa")).isZero();
        assertThat(SecretRules.entropy("abcd")).isEqualTo(2.0);
    }
}
