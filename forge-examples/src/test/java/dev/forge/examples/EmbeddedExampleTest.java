package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EmbeddedExampleTest {

    @Test
    void run_buildsTheMakeSampleInProcess_andPrintsItsLog() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = EmbeddedExample.run("hello-make", new PrintStream(out, true, StandardCharsets.UTF_8));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(printed).isZero();
        assertThat(printed).contains("of hello-make: completed").contains("compiling hello")
                .contains("tests: 3 passed, 0 failed")
                .containsPattern("analysis \\S+: quality [0-9.]+ of 10, [0-9]+ findings, analyzers \\[.*pmd.*\\]")
                .contains("not covered: nothing");
    }

    @Test
    void run_unknownProject_isRefused() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int code = EmbeddedExample.run("no-such-sample", new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("build refused: project 'no-such-sample' not found");
    }
}
