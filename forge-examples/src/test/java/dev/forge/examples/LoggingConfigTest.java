package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The server's two logback files, loaded the way logback loads them, writing real lines. */
class LoggingConfigTest {

    @Test
    void jsonConfig_writesOneJsonObjectPerLine_withTheMdcAndKeyValues() throws Exception {
        String output = logWith("forge-logback-json.xml");

        JsonNode line = new ObjectMapper().readTree(output.lines().filter(l -> l.contains("build started"))
                .findFirst().orElseThrow());
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("formattedMessage").asText()).isEqualTo("build started for hello-make");
        assertThat(line.get("mdc").get("task_id").asText()).isEqualTo("t-123");
        assertThat(line.get("mdc").get("user").asText()).isEqualTo("alice");
        assertThat(line.get("kvpList").toString()).contains("duration_ms");
    }

    @Test
    void textConfig_writesReadableLines_withTheMdc() throws Exception {
        String output = logWith("forge-logback-text.xml");

        assertThat(output).contains("INFO").contains("build started for hello-make").contains("task_id=t-123")
                .doesNotContain("{\"");
    }

    @Test
    void defaultConfig_isTheJsonOne() throws Exception {
        assertThat(logWith("logback.xml").trim()).startsWith("{").contains("\"mdc\"");
    }

    @Test
    void everyConfig_keepsEveryLine_whenTheAsyncQueueOverflows() throws Exception {
        for (String resource : new String[] {"forge-logback-json.xml", "forge-logback-text.xml", "logback.xml"}) {
            String output = logWith(resource, context -> {
                for (int i = 0; i < 20_000; i++) {
                    context.getLogger("dev.forge.http.access").info("GET /api/health 200 0.1 ms line-{}-end", i);
                }
            });

            assertThat(output.lines().filter(line -> line.contains("line-")).count()).as(resource).isEqualTo(20_000);
            assertThat(output).contains("line-0-end").contains("line-19999-end");
        }
    }

    @Test
    void accessLog_isTurnedOffByItsLevelSetting_otherLinesStay() throws Exception {
        System.setProperty("FORGE_ACCESS_LOG_LEVEL", "OFF");
        try {
            String output = logWith("forge-logback-json.xml", context -> {
                context.getLogger("dev.forge.http.access").info("GET /api/health 200 0.1 ms");
                context.getLogger("dev.forge.tasks").info("task started");
            });

            assertThat(output).contains("task started").doesNotContain("dev.forge.http.access");
        } finally {
            System.clearProperty("FORGE_ACCESS_LOG_LEVEL");
        }
        assertThat(logWith("forge-logback-json.xml",
                context -> context.getLogger("dev.forge.http.access").info("GET /api/health 200 0.1 ms")))
                .contains("dev.forge.http.access").contains("200 0.1 ms");
    }

    private static String logWith(String resource) throws Exception {
        return logWith(resource, context -> context.getLogger("dev.forge.test").atInfo()
                .addKeyValue("duration_ms", 12).log("build started for {}", "hello-make"));
    }

    /** Loads {@code resource} into a fresh context, logs, stops the context and returns stdout. */
    private static String logWith(String resource, Consumer<LoggerContext> logging) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        try {
            System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LoggingConfigTest.class.getClassLoader().getResource(resource));
            MDC.put("task_id", "t-123");
            MDC.put("user", "alice");
            logging.accept(context);
        } finally {
            MDC.clear();
            context.stop();
            System.setOut(original);
        }
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(status -> status.getLevel() >= ch.qos.logback.core.status.Status.WARN);
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
