package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium for the dashboard tests: starts it (or skips
 * the tests with a message when it is not installed, unless {@code FORGE_REQUIRE_BROWSER=1}),
 * saves screenshots under {@code target/screenshots/}, and reads the browser console so a
 * test fails on any script error or policy violation.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** Generous: the build machine is shared and busy. */
    static final Duration WAIT = Duration.ofSeconds(60);

    private static final Pattern HTTP_ERROR = Pattern.compile("the server responded with a status of (\\d{3})");

    final ChromeDriver driver;
    final WebDriverWait wait;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
        this.wait = new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
    }

    /** Skips the calling tests when there is no browser, or fails when one is required. */
    static void assumeInstalled() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (installed) {
            return;
        }
        String message = "the dashboard's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                + " (Debian packages chromium and chromium-driver)";
        if ("1".equals(System.getenv("FORGE_REQUIRE_BROWSER"))) {
            Assertions.fail(message + ", and FORGE_REQUIRE_BROWSER=1 says they must run");
        }
        Assumptions.abort("skipped: " + message + "; set FORGE_REQUIRE_BROWSER=1 to make this a failure");
    }

    static Browser start() {
        try {
            Path profile = Files.createTempDirectory("forge-chromium");
            System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--user-data-dir=" + profile, "--window-size=1280,900");
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
            Files.createDirectories(SCREENSHOTS);
            return new Browser(new ChromeDriver(options), profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Saves the visible page as {@code target/screenshots/<name>.png}. */
    void screenshot(String name) {
        try {
            Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails on any console error, except the browser's own line for an API answer whose status
     * the test expected (Chromium logs every 4xx a fetch receives), and on any recorded policy
     * violation. Reading the log empties it.
     */
    void assertNoConsoleErrors(Set<Integer> expectedHttpStatuses) {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() < Level.WARNING.intValue()) {
                continue;
            }
            Matcher http = HTTP_ERROR.matcher(entry.getMessage());
            if (http.find() && expectedHttpStatuses.contains(Integer.parseInt(http.group(1)))) {
                continue;
            }
            errors.add(entry.getLevel() + " " + entry.getMessage());
        }
        Object violations = driver.executeScript("return document.documentElement.dataset.cspViolations || ''");
        assertThat(errors).as("browser console errors and warnings").isEmpty();
        assertThat(String.valueOf(violations)).as("Content-Security-Policy violations").isEmpty();
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary profile is not worth failing over
        }
    }
}
