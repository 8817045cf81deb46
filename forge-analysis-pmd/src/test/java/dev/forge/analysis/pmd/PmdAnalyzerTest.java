package dev.forge.analysis.pmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Finding;
import dev.forge.analysis.PlantedProject;
import dev.forge.analysis.Severity;
import dev.forge.exec.CancellationToken;
import dev.forge.testing.RecordingTaskContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.sourceforge.pmd.lang.rule.RulePriority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PmdAnalyzerTest {

    private static final Set<AnalysisType> BOTH = EnumSet.of(AnalysisType.QUALITY, AnalysisType.SECURITY);

    /** Security patterns forge's own rules must catch, and safe look-alikes they must not. */
    static final String SECURITY_CLASS = """
            package demo;

            import java.security.MessageDigest;
            import java.sql.Connection;
            import java.sql.Statement;
            import javax.crypto.Cipher;

            public class Risky {
                static final String LS = "ls " + "-l";

                Process shell(String a, String b) throws Exception {
                    return new ProcessBuilder("sh", "-c", a + b).start();
                }

                Process viaVariable(String dir) throws Exception {
                    String command = "ls " + dir;
                    return Runtime.getRuntime().exec(command);
                }

                byte[] md5(byte[] data) throws Exception {
                    return MessageDigest.getInstance("MD5").digest(data);
                }

                byte[] sha1(byte[] data) throws Exception {
                    return MessageDigest.getInstance("SHA1").digest(data);
                }

                Cipher des() throws Exception {
                    return Cipher.getInstance("DES/CBC/PKCS5Padding");
                }

                void query(Connection connection, String name) throws Exception {
                    try (Statement statement = connection.createStatement()) {
                        statement.executeQuery("SELECT * FROM users WHERE name = '" + name + "'");
                    }
                }

                Process safeConstant() throws Exception {
                    return Runtime.getRuntime().exec(LS + " /tmp");
                }

                Process safeArguments(String dir) throws Exception {
                    return new ProcessBuilder("ls", dir).start();
                }

                byte[] sha256(byte[] data) throws Exception {
                    return MessageDigest.getInstance("SHA-256").digest(data);
                }

                Cipher gcm() throws Exception {
                    return Cipher.getInstance("AES/GCM/NoPadding");
                }
            }
            """;

    @TempDir
    Path dir;

    private final RecordingTaskContext context = RecordingTaskContext.forAnalysis("demo", List.of());

    private static PmdAnalyzer analyzer() {
        return PmdAnalyzer.builder().threads(1).build();
    }

    private List<Finding> analyze(PmdAnalyzer analyzer, Set<AnalysisType> types) {
        return analyzer.analyze(dir, PlantedProject.spec(dir), types, context).findings();
    }

    @Test
    void analyze_plantedSmells_eachFoundAtItsLine() {
        PlantedProject.javaSmells(dir);

        List<Finding> findings = analyze(analyzer(), BOTH);

        String app = PlantedProject.APP;
        assertThat(findings).extracting(Finding::ruleId, Finding::file, Finding::line, Finding::category)
                .contains(
                        tuple("UnusedPrivateField", app, PlantedProject.line(dir, app, "private int neverRead"),
                                AnalysisType.QUALITY),
                        tuple("EmptyCatchBlock", app, PlantedProject.line(dir, app, "catch (IOException e)"),
                                AnalysisType.QUALITY),
                        tuple("AvoidDeeplyNestedIfStmts", app, PlantedProject.line(dir, app, "if (d > 0)"),
                                AnalysisType.QUALITY),
                        tuple("ForgeCommandInjection", app, PlantedProject.line(dir, app, "exec(\"sh -c \" + x)"),
                                AnalysisType.SECURITY));
        assertThat(findings).filteredOn(f -> f.ruleId().equals("EmptyCatchBlock")).singleElement()
                .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.MAJOR));
        assertThat(findings).filteredOn(f -> f.ruleId().equals("ForgeCommandInjection")).singleElement()
                .satisfies(f -> {
                    assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
                    assertThat(f.tool()).isEqualTo("pmd");
                });
        assertThat(findings).allSatisfy(f -> assertThat(f.file()).isEqualTo(app));
    }

    @Test
    void analyze_securityRules_catchConcatenationAndWeakCryptoButNotSafeCode() {
        PlantedProject.write(dir, "src/main/java/demo/Risky.java", SECURITY_CLASS);
        String file = "src/main/java/demo/Risky.java";

        List<Finding> findings = analyze(analyzer(), Set.of(AnalysisType.SECURITY));

        assertThat(findings).extracting(Finding::ruleId, Finding::line).containsExactlyInAnyOrder(
                tuple("ForgeCommandInjection", PlantedProject.line(dir, file, "\"sh\", \"-c\", a + b")),
                tuple("ForgeCommandInjection", PlantedProject.line(dir, file, "exec(command)")),
                tuple("ForgeWeakHash", PlantedProject.line(dir, file, "\"MD5\"")),
                tuple("ForgeWeakHash", PlantedProject.line(dir, file, "\"SHA1\"")),
                tuple("ForgeWeakCipher", PlantedProject.line(dir, file, "\"DES/CBC")),
                tuple("ForgeSqlConcatenation", PlantedProject.line(dir, file, "executeQuery(")));
        assertThat(findings).extracting(Finding::category).containsOnly(AnalysisType.SECURITY);
    }

    @Test
    void analyze_qualityOnly_noSecurityRulesRun() {
        PlantedProject.javaSmells(dir);

        List<Finding> findings = analyze(analyzer(), Set.of(AnalysisType.QUALITY));

        assertThat(findings).isNotEmpty().extracting(Finding::category).containsOnly(AnalysisType.QUALITY);
        assertThat(findings).extracting(Finding::ruleId).doesNotContain("ForgeCommandInjection");
    }

    @Test
    void analyze_cleanCode_nothingFound() {
        PlantedProject.clean(dir);

        assertThat(analyze(analyzer(), BOTH)).isEmpty();
    }

    @Test
    void analyze_unchangedFiles_servedFromCacheAndOnlyChangedFilesReanalysed() throws IOException {
        PlantedProject.javaSmells(dir);
        PlantedProject.clean(dir);
        PmdAnalyzer analyzer = analyzer();

        List<Finding> first = analyze(analyzer, BOTH);
        assertThat(analyzer.filesAnalyzed()).isEqualTo(2);
        List<Finding> second = analyze(analyzer, BOTH);

        assertThat(analyzer.filesAnalyzed()).isEqualTo(2);
        assertThat(second).containsExactlyInAnyOrderElementsOf(first);
        assertThat(context.logText()).contains("2 unchanged since cached, 0 to analyse");

        Files.writeString(dir.resolve(PlantedProject.APP),
                Files.readString(dir.resolve(PlantedProject.APP)).replace("private int neverRead;", ""));
        List<Finding> third = analyze(analyzer, BOTH);

        assertThat(analyzer.filesAnalyzed()).isEqualTo(3);
        assertThat(third).extracting(Finding::ruleId).doesNotContain("UnusedPrivateField").contains("EmptyCatchBlock");
    }

    @Test
    void analyze_unparseableFile_reportedInLogAndNotCached() {
        PlantedProject.write(dir, "src/main/java/demo/Bad.java", "package demo; public class Bad { void f( }\n");
        PmdAnalyzer analyzer = analyzer();

        analyze(analyzer, BOTH);
        analyze(analyzer, BOTH);

        assertThat(context.logText()).contains("could not analyse src/main/java/demo/Bad.java");
        assertThat(analyzer.filesAnalyzed()).isEqualTo(2);
    }

    @Test
    void analyze_cancelled_runsNothing() {
        PlantedProject.javaSmells(dir);
        PmdAnalyzer analyzer = analyzer();
        context.cancellationSource().cancel(CancellationToken.Reason.USER);

        assertThat(analyze(analyzer, BOTH)).isEmpty();
        assertThat(analyzer.filesAnalyzed()).isZero();
    }

    @Test
    void severity_mapsPmdPriorities() {
        assertThat(PmdAnalyzer.severity(RulePriority.HIGH)).isEqualTo(Severity.CRITICAL);
        assertThat(PmdAnalyzer.severity(RulePriority.MEDIUM_HIGH)).isEqualTo(Severity.MAJOR);
        assertThat(PmdAnalyzer.severity(RulePriority.MEDIUM)).isEqualTo(Severity.MINOR);
        assertThat(PmdAnalyzer.severity(RulePriority.MEDIUM_LOW)).isEqualTo(Severity.MINOR);
        assertThat(PmdAnalyzer.severity(RulePriority.LOW)).isEqualTo(Severity.INFO);
    }

    @Test
    void builder_badValues_rejectedWithTheValue() {
        assertThatThrownBy(() -> PmdAnalyzer.builder().threads(-1)).hasMessageContaining("threads").hasMessageContaining("-1");
        assertThatThrownBy(() -> PmdAnalyzer.builder().batchSize(0)).hasMessageContaining("batchSize").hasMessageContaining("0");
        assertThatThrownBy(() -> PmdAnalyzer.builder().cacheSize(-5)).hasMessageContaining("cacheSize");
        assertThatThrownBy(() -> PmdAnalyzer.builder().qualityRuleset("nope.xml").build())
                .hasMessageContaining("nope.xml");
    }
}
