package dev.forge.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DirectoryProjectCatalogTest {

    @TempDir
    Path temp;

    private Path root;
    private DirectoryProjectCatalog catalog;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(temp.resolve("projects"));
        catalog = new DirectoryProjectCatalog(root);
    }

    private Path project(String name) throws IOException {
        return Files.createDirectories(root.resolve(name));
    }

    private void forgeJson(String name, String json) throws IOException {
        Fixtures.write(project(name), "forge.json", json);
    }

    @Test
    void find_folderWithoutForgeJson_isItsOwnSourceWithDefaultsAndStepsLeftToDetection()
            throws IOException {
        Path dir = project("calc");

        ProjectSpec spec = catalog.find("calc").orElseThrow();

        assertThat(spec.name()).isEqualTo("calc");
        assertThat(spec.source()).isEqualTo(new ProjectSpec.Source.LocalPath(dir));
        assertThat(spec.steps()).isEmpty();
        assertThat(spec.reports()).isEqualTo(ProjectSpec.Reports.defaults());
        assertThat(spec.env()).isEmpty();
        assertThat(spec.softTimeout()).isNull();
        assertThat(spec.hardTimeout()).isNull();
    }

    @Test
    void find_unknownProject_isEmpty() {
        assertThat(catalog.find("nope")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside", "a/b", "%2e%2e", "..", ".", "", " calc", "calc\n",
        "caf\u00e9", "a\\b"})
    void find_nameOfTheWrongShape_isEmptyEvenIfSuchAFolderExists(String name) throws IOException {
        Files.createDirectories(temp.resolve("outside"));
        Fixtures.write(temp.resolve("outside"), "Makefile", "all:\n\ttrue\n");

        assertThat(catalog.find(name)).isEmpty();
    }

    @Test
    void find_null_isEmpty() {
        assertThat(catalog.find(null)).isEmpty();
    }

    @Test
    void find_nameOfHundredChars_isFound_andOfHundredAndOne_isNot() throws IOException {
        project("x".repeat(100));

        assertThat(catalog.find("x".repeat(100))).isPresent();
        assertThat(catalog.find("x".repeat(101))).isEmpty();
    }

    @Test
    void find_symlinkedFolderLeadingOutOfTheRoot_isUnknown() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("elsewhere"));
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("inside"), project("real"));

        assertThat(catalog.find("escape")).isEmpty();
        assertThat(catalog.find("inside")).isPresent();
        assertThat(catalog.names()).containsExactly("inside", "real");
    }

    @Test
    void find_fileOrLinkToAFileOrNowhere_isUnknown() throws IOException {
        Path file = Files.writeString(root.resolve("a-file"), "not a project");
        Files.createSymbolicLink(root.resolve("to-file"), file);
        Files.createSymbolicLink(root.resolve("dangling"), root.resolve("gone"));
        Files.createSymbolicLink(root.resolve("link-of-link"), root.resolve("inside"));
        Files.createSymbolicLink(root.resolve("inside"), project("real"));

        assertThat(catalog.find("a-file")).isEmpty();
        assertThat(catalog.find("to-file")).isEmpty();
        assertThat(catalog.find("dangling")).isEmpty();
        assertThat(catalog.find("link-of-link")).isPresent();
    }

    @Test
    void names_listsValidProjectFoldersSorted() throws IOException {
        project("zeta");
        project("Alpha");
        project("beta_2");
        project("has.dot");
        Files.writeString(root.resolve("a-file"), "not a project");

        assertThat(catalog.names()).containsExactly("Alpha", "beta_2", "zeta");
    }

    @Test
    void find_fullForgeJson_isParsed() throws IOException {
        forgeJson("full", """
                {
                  "source": {"git": "https://example.com/repo.git", "ref": "release/1.2"},
                  "steps": [{"name": "build", "run": ["make"]}, {"run": ["make", "test", ""]}],
                  "reports": {"junit": ["out/**/*.xml"], "coverage": [], "sarif": ["a.sarif"]},
                  "env": {"GREETING": "hello", "_X": ""},
                  "timeouts": {"soft_seconds": 60, "hard_seconds": 120}
                }
                """);

        ProjectSpec spec = catalog.find("full").orElseThrow();

        assertThat(spec.source()).isEqualTo(new ProjectSpec.Source.Git("https://example.com/repo.git",
                "release/1.2"));
        assertThat(spec.steps()).containsExactly(
                new ProjectSpec.Step("build", List.of("make")),
                new ProjectSpec.Step("step-2", List.of("make", "test", "")));
        assertThat(spec.reports()).isEqualTo(new ProjectSpec.Reports(List.of("out/**/*.xml"),
                List.of(), List.of("a.sarif")));
        assertThat(spec.env()).isEqualTo(Map.of("GREETING", "hello", "_X", ""));
        assertThat(spec.softTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(spec.hardTimeout()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void find_sandboxPolicy_changesOnlyTheFieldsItNames() throws IOException {
        forgeJson("boxed", "{\"sandbox\": {\"network\": true, \"memory_mb\": 512, \"processes\": 0, "
                + "\"readable\": [\"/var/cache/forge/m2\"]}}");

        dev.forge.sandbox.SandboxPolicy policy = catalog.find("boxed").orElseThrow().sandbox()
                .applyTo(dev.forge.sandbox.SandboxPolicy.defaults());

        assertThat(policy).isEqualTo(new dev.forge.sandbox.SandboxPolicy(true, 512, 0,
                dev.forge.sandbox.SandboxPolicy.DEFAULT_CPU_SECONDS, dev.forge.sandbox.SandboxPolicy.DEFAULT_FILE_SIZE_MB,
                List.of(), List.of(Path.of("/var/cache/forge/m2"))));
    }

    @Test
    void find_relativeSourcePath_isResolvedAgainstTheProjectFolder() throws IOException {
        forgeJson("rel", "{\"source\": {\"path\": \"../shared/src\"}}");

        ProjectSpec spec = catalog.find("rel").orElseThrow();

        assertThat(spec.source()).isEqualTo(new ProjectSpec.Source.LocalPath(root.resolve("shared/src")));
    }

    @Test
    void find_absoluteSourcePath_isKept() throws IOException {
        forgeJson("abs", "{\"source\": {\"path\": \"" + temp.resolve("src") + "\"}}");

        assertThat(catalog.find("abs").orElseThrow().source())
                .isEqualTo(new ProjectSpec.Source.LocalPath(temp.resolve("src")));
    }

    @Test
    void find_reportsWithSomeKindsMissing_keepsTheirDefaults() throws IOException {
        forgeJson("rep", "{\"reports\": {\"junit\": [\"r/*.xml\"]}}");

        ProjectSpec.Reports reports = catalog.find("rep").orElseThrow().reports();

        assertThat(reports.junit()).containsExactly("r/*.xml");
        assertThat(reports.coverage()).isEqualTo(ProjectSpec.Reports.DEFAULT_COVERAGE);
        assertThat(reports.sarif()).isEqualTo(ProjectSpec.Reports.DEFAULT_SARIF);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"steps": [{"run": ["make"]}, {"run": []}]}                 | forge.json: steps[1].run must be a non-empty array of strings
            {"steps": [{"run": "make test"}]}                           | forge.json: steps[0].run must be a non-empty array of strings
            {"steps": [{"run": ["make", 3]}]}                           | forge.json: steps[0].run must be a non-empty array of strings
            {"steps": [{"run": ["", "x"]}]}                             | forge.json: steps[0].run[0] must name a program
            {"steps": [{"name": "a b", "run": ["x"]}]}                  | forge.json: steps[0].name must match
            {"steps": [{"name": "a", "run": ["x"]}, {"name": "a", "run": ["y"]}]} | forge.json: steps[1].name 'a' is used by an earlier step
            {"steps": [{"run": ["x"], "shell": true}]}                  | forge.json: unknown field 'steps[0].shell'
            {"steps": []}                                               | forge.json: steps must be a non-empty array
            {"steps": {"run": ["x"]}}                                   | forge.json: steps must be a non-empty array
            {"steps": ["make"]}                                         | forge.json: steps[0] must be an object
            {"step": []}                                                | forge.json: unknown field 'step'
            {"timeouts": {"soft_seconds": 1800, "hard_seconds": 1500}}  | forge.json: timeouts.soft_seconds (1800) must not exceed timeouts.hard_seconds (1500)
            {"timeouts": {"soft_seconds": 0}}                           | forge.json: timeouts.soft_seconds must be a whole number of seconds
            {"timeouts": {"hard_seconds": 1.5}}                         | forge.json: timeouts.hard_seconds must be a whole number of seconds
            {"timeouts": {"hard_seconds": "60"}}                        | forge.json: timeouts.hard_seconds must be a whole number of seconds
            {"timeouts": {"soft": 5}}                                   | forge.json: unknown field 'timeouts.soft'
            {"env": {"A": 1}}                                           | forge.json: env.A must be a string
            {"env": {"1A": "x"}}                                        | forge.json: env key '1A' must match
            {"env": {"FORGE_TASK_ID": "x"}}                             | forge.json: env key 'FORGE_TASK_ID' is reserved
            {"env": ["A=1"]}                                            | forge.json: env must be an object
            {"reports": {"junit": "**/*.xml"}}                          | forge.json: reports.junit must be an array of globs
            {"reports": {"junit": ["../x/*.xml"]}}                      | forge.json: reports.junit[0] must not contain '..'
            {"reports": {"sarif": ["/abs/*.sarif"]}}                    | forge.json: reports.sarif[0] must be relative to the workspace
            {"reports": {"coverage": ["a[b"]}}                          | forge.json: reports.coverage[0] is not a valid glob
            {"reports": {"html": []}}                                   | forge.json: unknown field 'reports.html'
            {"source": {"git": "https://h/r.git", "path": "x"}}         | forge.json: source must have exactly one of "git" or "path"
            {"source": {}}                                              | forge.json: source must have exactly one of "git" or "path"
            {"source": "https://h/r.git"}                               | forge.json: source must be an object
            {"source": {"git": "ext::sh -c touch% /tmp/pwned"}}         | forge.json: source.git must be an https, http, ssh, git or file URL
            {"source": {"git": "--upload-pack=touch /tmp/x"}}           | forge.json: source.git must be an https
            {"source": {"git": "https://h/r.git", "ref": "-x"}}         | forge.json: source.ref must be a branch or tag name
            {"source": {"git": "https://h/r.git", "ref": "a..b"}}       | forge.json: source.ref must be a branch or tag name
            {"source": {"git": "https://h/r.git", "ref": 5}}            | forge.json: source.ref must be a non-empty string
            {"source": {"path": "x", "ref": "main"}}                    | forge.json: source.ref is only allowed with source.git
            {"source": {"path": ""}}                                    | forge.json: source.path must be a non-empty string
            [1, 2]                                                      | forge.json: must be a JSON object
            {"steps": [{"run": ["make"]}]} {"x": 1}                     | forge.json: not valid JSON
            {"steps": [{"run": ["make"]}                                | forge.json: not valid JSON at line 1
            {"env": {"A": "1", "A": "2"}}                               | forge.json: not valid JSON
            {"sandbox": true}                                           | forge.json: sandbox must be an object
            {"sandbox": {"network": "yes"}}                             | forge.json: sandbox.network must be true or false
            {"sandbox": {"memory_mb": -1}}                              | forge.json: sandbox.memory_mb must be a whole number, 0 for no limit
            {"sandbox": {"memory_mb": 8}}                               | forge.json: sandbox.memory_mb must be at least 16
            {"sandbox": {"processes": 2.5}}                             | forge.json: sandbox.processes must be a whole number
            {"sandbox": {"readable": ["relative/m2"]}}                  | forge.json: sandbox.readable must be an array of at most 32 absolute
            {"sandbox": {"writable": ["/a/../etc"]}}                    | forge.json: sandbox.writable must be an array of at most 32 absolute
            {"sandbox": {"writable": ["/"]}}                            | forge.json: sandbox.writable must be an array of at most 32 absolute
            {"sandbox": {"shell": true}}                                | forge.json: unknown field 'sandbox.shell'
            """)
    void find_malformedForgeJson_throwsAMessageNamingTheField(String json, String message)
            throws IOException {
        forgeJson("bad", json);

        assertThatThrownBy(() -> catalog.find("bad"))
                .isInstanceOf(ProjectConfigException.class)
                .hasMessageStartingWith(message.strip());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"steps": [{"run": ["make"]}                | forge.json: not valid JSON at line 1, column 29: Unexpected end-of-input: expected close marker for Array
            {"env": {"A": "1", "A": "2"}}               | forge.json: not valid JSON at line 1, column 23: Duplicate field 'A'
            {"a": 1} {"x": 1}                           | forge.json: not valid JSON at line 1, column 10: unexpected content after the top-level object
            """)
    void find_invalidJson_saysWhereWithoutParserInternals(String json, String message) throws IOException {
        forgeJson("bad", json.strip());

        assertThatThrownBy(() -> catalog.find("bad")).isInstanceOf(ProjectConfigException.class)
                .hasMessage(message.strip());
    }

    @Test
    void find_emptyForgeJson_isAConfigError() throws IOException {
        forgeJson("empty", "");

        assertThatThrownBy(() -> catalog.find("empty")).isInstanceOf(ProjectConfigException.class)
                .hasMessageStartingWith("forge.json: must be a JSON object");
    }

    @Test
    void find_forgeJsonThatIsASymlink_isAConfigError() throws IOException {
        Path secret = Fixtures.write(temp, "secret.json", "{}");
        Files.createSymbolicLink(project("linked").resolve("forge.json"), secret);

        assertThatThrownBy(() -> catalog.find("linked")).isInstanceOf(ProjectConfigException.class)
                .hasMessage("forge.json: must be a regular file");
    }

    @Test
    void find_hugeForgeJson_isRejectedUnread() throws IOException {
        forgeJson("huge", "{\"env\": {\"A\": \"" + "x".repeat(300_000) + "\"}}");

        assertThatThrownBy(() -> catalog.find("huge")).isInstanceOf(ProjectConfigException.class)
                .hasMessageContaining("larger than");
    }

    @Test
    void find_unchangedForgeJson_isServedFromTheCache_andAChangeIsPickedUp() throws IOException {
        forgeJson("cached", "{\"steps\": [{\"name\": \"one\", \"run\": [\"true\"]}]}");
        Path json = root.resolve("cached/forge.json");
        FileTime stamp = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
        Files.setLastModifiedTime(json, stamp);

        ProjectSpec first = catalog.find("cached").orElseThrow();
        assertThat(catalog.find("cached").orElseThrow()).isSameAs(first);

        Files.writeString(json, "{\"steps\": [{\"name\": \"two\", \"run\": [\"true\"]}]}");
        Files.setLastModifiedTime(json, FileTime.from(Instant.parse("2026-01-01T00:00:01Z")));

        assertThat(catalog.find("cached").orElseThrow().steps().get(0).name()).isEqualTo("two");
    }

    @Test
    void find_brokenForgeJsonFixed_isPickedUp() throws IOException {
        forgeJson("fixme", "{\"steps\": []}");
        assertThatThrownBy(() -> catalog.find("fixme")).isInstanceOf(ProjectConfigException.class);
        // the error is cached too, until the file changes
        assertThatThrownBy(() -> catalog.find("fixme")).isInstanceOf(ProjectConfigException.class);

        Path json = root.resolve("fixme/forge.json");
        Files.writeString(json, "{\"steps\": [{\"run\": [\"make\"]}]}");
        Files.setLastModifiedTime(json, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));

        assertThat(catalog.find("fixme")).isPresent();
    }

    @Test
    void constructor_rootThatIsNotADirectory_failsFast() {
        assertThatThrownBy(() -> new DirectoryProjectCatalog(temp.resolve("missing")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing");
    }
}
