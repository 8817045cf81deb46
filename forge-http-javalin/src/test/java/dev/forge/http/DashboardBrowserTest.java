package dev.forge.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real headless Chromium against a real server running real {@code make}
 * builds and analyses. Every test fails on a console error or a policy violation, and leaves
 * screenshots in {@code target/screenshots/} (described in docs/dashboard.md).
 */
class DashboardBrowserTest {

    private static TestServer server;
    private static Browser browser;
    private final Set<Integer> expectedHttpErrors = new HashSet<>();

    @BeforeAll
    static void start() throws Exception {
        Browser.assumeInstalled();
        server = TestServer.start();
        // prints a line a second, so the page can show lines while the build runs
        TestServer.makeProject(server.projects, "ticker",
                "all:\n\t@for i in 1 2 3 4 5; do echo tick $$i; sleep 1; done\ntest:\n\t@echo tests passed\n");
        TestServer.makeProject(server.projects, "mixed", "all:\n\t@echo ok\ntest:\n\t@echo ok\n");
        Files.writeString(server.projects.resolve("mixed").resolve("deploy.env"),
                "AWS_ACCESS_KEY_ID=AKIAZ7Q3K9VX2MBW4RTN\n");
        Files.writeString(server.projects.resolve("mixed").resolve("Greeter.java"),
                "public class Greeter {\n    int greet() {\n        return \"hello\";\n    }\n}\n");
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void desktop() {
        browser.driver.manage().window().setSize(new Dimension(1280, 900));
        expectedHttpErrors.clear();
    }

    @AfterEach
    void noConsoleErrors() {
        browser.assertNoConsoleErrors(expectedHttpErrors);
    }

    private String url(String fragment) {
        return server.uri("/dashboard" + fragment).toString();
    }

    private void signIn(String token) {
        browser.driver.get(url(""));
        List<WebElement> signOut = browser.driver.findElements(By.id("signout"));
        if (!signOut.isEmpty() && signOut.get(0).isDisplayed()) {
            signOut.get(0).click();
        }
        WebElement field = browser.wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("token")));
        field.sendKeys(token);
        browser.driver.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
        browser.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("list-view")));
    }

    private void open(String fragment) {
        browser.driver.get(url("#" + fragment));
    }

    /** The task page's status; read in the page, since live updates replace the element. */
    private String status() {
        return (String) browser.driver.executeScript(
                "const facts = document.getElementById('task-facts'); return facts ? facts.dataset.status : null");
    }

    private void awaitStatus(String wanted) {
        browser.wait.until(d -> wanted.equals(status()));
    }

    private String log() {
        return (String) browser.driver.executeScript(
                "const log = document.getElementById('log'); return log ? log.textContent : ''");
    }

    /**
     * The row of a task in a table as {@code "<data-status>|<text>"}, read in the page: the
     * tables are redrawn every 2 s, so an element held across calls could go stale.
     */
    private String awaitRow(String table, String id) {
        String script = "const row = document.querySelector(arguments[0] + \" tr[data-task-id='\" + arguments[1] + \"']\");"
                + " return row ? row.dataset.status + '|' + row.textContent : null";
        return browser.wait.until(d -> (String) browser.driver.executeScript(script, table, id));
    }

    private void signedOut() {
        browser.driver.get(url(""));
        browser.driver.executeScript("sessionStorage.clear()");
        browser.driver.navigate().refresh();
    }

    @Test
    void signIn_withABadToken_showsTheErrorNextToTheField_andAGoodOne_opensTheTables() {
        expectedHttpErrors.add(401);
        signedOut();
        WebElement field = browser.wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("token")));
        field.sendKeys("not-a-token");
        browser.driver.findElement(By.cssSelector("#signin-form button[type=submit]")).click();
        browser.wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("err-token"), "not valid"));
        assertThat(field.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.driver.executeScript("return sessionStorage.getItem('forge.token')")).isNull();
        browser.screenshot("01-sign-in-refused");

        String user = TestServer.newUser();
        String token = server.userToken(user);
        signIn(token);
        assertThat(browser.driver.findElement(By.id("who")).getText()).contains(user);
        assertThat(browser.driver.findElement(By.cssSelector("#builds tbody")).getText()).contains("Nothing yet");
        assertThat(browser.driver.findElement(By.id("health")).isDisplayed()).isFalse();
        // the token is in this tab's session storage and nowhere in the page's address
        assertThat(browser.driver.executeScript("return sessionStorage.getItem('forge.token')")).isNotNull();
        assertThat(browser.driver.getCurrentUrl()).doesNotContain(token);
        browser.screenshot("02-signed-in-empty");
    }

    @Test
    void buildFromTheForm_showsLogLinesWhileRunning_andReachesCompleted() {
        String token = server.userToken(TestServer.newUser());
        signIn(token);
        open("/new");
        WebElement project = browser.wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#f-project option[value=ticker]")));
        assertThat(project.getText()).isEqualTo("ticker (make)");
        new Select(browser.driver.findElement(By.id("f-project"))).selectByValue("ticker");
        WebElement goal = browser.driver.findElement(By.id("f-goal"));
        goal.clear();
        goal.sendKeys("Build it from the browser");
        browser.driver.findElement(By.id("f-parameters")).sendKeys("flavor=vanilla");
        browser.screenshot("03-new-build-form");
        browser.driver.findElement(By.id("start")).click();

        browser.wait.until(ExpectedConditions.urlMatches("#/build/[A-Za-z0-9_-]+$"));
        String id = browser.driver.getCurrentUrl().replaceAll(".*#/build/", "");
        // a log line on the page while the build is still running: the log streams live
        browser.wait.until(d -> "running".equals(status()) && log().contains("tick 1"));
        browser.screenshot("04-build-running");
        awaitStatus("completed");
        browser.wait.until(d -> log().contains("tick 5") && log().contains("tests passed"));
        // the results are drawn from the 'done' event, the last one
        browser.wait.until(ExpectedConditions.presenceOfElementLocated(By.id("steps")));
        browser.driver.executeScript("document.getElementById('steps').scrollIntoView()");
        browser.screenshot("05-build-completed");

        String log = log();
        for (int i = 1; i <= 5; i++) {
            assertThat(log.split("tick " + i + "\n", -1)).as("tick %d once", i).hasSize(2);
        }
        assertThat(browser.driver.findElements(By.cssSelector("#steps tbody tr"))).hasSize(2);
        assertThat(browser.driver.findElement(By.cssSelector("#steps tbody")).getText()).contains("build 0");
        assertThat(browser.driver.findElements(By.id("cancel"))).isEmpty();
        JsonNode build = TestServer.json(server.get("/api/build/" + id, token));
        assertThat(build.get("status").asText()).isEqualTo("completed");
        assertThat(build.get("parameters").get("flavor").asText()).isEqualTo("vanilla");

        open("/");
        String row = awaitRow("#builds", id);
        assertThat(row).startsWith("completed|").contains("ticker");
        browser.screenshot("06-task-list");
    }

    @Test
    void cancellingASlowBuild_asksForConfirmation_thenShowsCancelled() {
        String token = server.userToken(TestServer.newUser());
        String id = server.createBuild(token, "slow");
        signIn(token);
        open("/build/" + id);
        browser.wait.until(d -> "running".equals(status()));
        browser.driver.findElement(By.id("cancel")).click();
        WebElement yes = browser.wait.until(ExpectedConditions.elementToBeClickable(By.id("cancel-yes")));
        assertThat(browser.driver.findElement(By.id("confirm-text")).getText()).contains("Cancel this build?");
        browser.screenshot("07-cancel-confirmation");
        yes.click();

        awaitStatus("cancelled");
        // live updates redraw the facts, so the badge is read in the page, not held as an element
        browser.wait.until(d -> "cancelled".equals(browser.driver.executeScript(
                "const b = document.querySelector('#task-facts .badge'); return b && b.textContent")));
        browser.wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("cancel-yes")));
        browser.screenshot("08-build-cancelled");
        assertThat(TestServer.json(server.get("/api/build/" + id, token)).get("status").asText())
                .isEqualTo("cancelled");
    }

    @Test
    void anUnsafeGoalAndABadParameter_areShownNextToTheirFields() {
        expectedHttpErrors.add(400);
        expectedHttpErrors.add(422);
        signIn(server.userToken(TestServer.newUser()));
        open("/new");
        browser.wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#f-project option[value=hello]")));
        new Select(browser.driver.findElement(By.id("f-project"))).selectByValue("hello");
        WebElement goal = browser.driver.findElement(By.id("f-goal"));
        goal.clear();
        goal.sendKeys("build; rm -rf / --no-preserve-root");
        browser.driver.findElement(By.id("start")).click();

        browser.wait.until(d -> !d.findElement(By.id("err-goal")).getText().isEmpty());
        assertThat(goal.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.driver.getCurrentUrl()).endsWith("#/new");
        browser.screenshot("09-validation-error");

        goal.clear();
        goal.sendKeys("Build and test it");
        browser.driver.findElement(By.id("f-parameters")).sendKeys("Bad-Key=x");
        browser.driver.findElement(By.id("start")).click();
        browser.wait.until(d -> !d.findElement(By.id("err-parameters")).getText().isEmpty());
        assertThat(browser.driver.findElement(By.id("err-goal")).getText()).isEmpty();
        assertThat(browser.driver.findElement(By.id("f-parameters")).getAttribute("aria-invalid")).isEqualTo("true");
    }

    @Test
    void anAnalysis_followedLive_showsScoreFindingsBySeverity_andTheSarifLink() {
        String token = server.userToken(TestServer.newUser());
        signIn(token);
        open("/new");
        browser.wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#f-project option[value=mixed]")));
        browser.driver.findElement(By.cssSelector("input[name=kind][value=analysis]")).click();
        new Select(browser.driver.findElement(By.id("f-project"))).selectByValue("mixed");
        browser.driver.findElement(By.id("start")).click();

        browser.wait.until(ExpectedConditions.urlMatches("#/analysis/[A-Za-z0-9_-]+$"));
        String id = browser.driver.getCurrentUrl().replaceAll(".*#/analysis/", "");
        awaitStatus("completed");
        WebElement score = browser.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("score")));
        assertThat(score.getText()).matches("\\d+(\\.\\d+)? / 10");
        List<WebElement> groups = browser.driver.findElements(By.cssSelector("section.severity"));
        assertThat(groups).isNotEmpty();
        String findings = browser.driver.findElement(By.id("task-body")).getText();
        assertThat(findings).contains("deploy.env:1").contains("Greeter.java:3");
        assertThat(browser.driver.findElement(By.id("sarif")).getAttribute("href"))
                .endsWith("/api/analysis/" + id + "/sarif");
        browser.screenshot("10-analysis");
        browser.driver.executeScript("arguments[0].scrollIntoView()", groups.get(0));
        browser.screenshot("10b-analysis-findings");

        open("/");
        assertThat(awaitRow("#analyses", id)).startsWith("completed|").contains("mixed");
    }

    @Test
    void anotherUsersBuild_isRefused() {
        expectedHttpErrors.add(403);
        String id = server.createBuild(server.userToken(TestServer.newUser()), "hello");
        signIn(server.userToken(TestServer.newUser()));
        open("/build/" + id);
        WebElement error = browser.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("task-error")));
        assertThat(error.getAttribute("data-http-status")).isEqualTo("403");
        assertThat(error.getText()).contains("belongs to another user");
        assertThat(browser.driver.findElements(By.id("task-facts"))).isEmpty();
        browser.screenshot("11-refused");
    }

    @Test
    void at360PixelsWide_theListFits_andTheKeyboardOpensABuild() {
        String token = server.userToken(TestServer.newUser());
        String id = server.createBuild(token, "hello");
        server.awaitTerminal(id, token);
        browser.driver.manage().window().setSize(new Dimension(360, 800));
        signIn(token);
        browser.wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#builds tr[data-task-id]")));
        Number overflow = (Number) browser.driver.executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertThat(overflow.intValue()).as("horizontal overflow at 360 px").isLessThanOrEqualTo(0);
        browser.screenshot("12-list-360px");

        // Tab from the top of the page until the build's link has the focus, then Enter.
        browser.driver.executeScript("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)");
        List<String> path = new java.util.ArrayList<>();
        for (int i = 0; i < 15 && !isBuildLinkFocused(); i++) {
            new Actions(browser.driver).sendKeys(Keys.TAB).perform();
            path.add((String) browser.driver.executeScript(
                    "const e = document.activeElement; return e.tagName + '#' + e.id + ' ' + e.textContent.trim().slice(0, 20)"));
        }
        assertThat(isBuildLinkFocused()).as("a build link is reachable with Tab; focus went " + path).isTrue();
        new Actions(browser.driver).sendKeys(Keys.ENTER).perform();
        browser.wait.until(ExpectedConditions.urlContains("#/build/" + id));
        awaitStatus("completed");
        browser.screenshot("13-build-360px");
    }

    private boolean isBuildLinkFocused() {
        return Boolean.TRUE.equals(browser.driver.executeScript(
                "return document.activeElement && document.activeElement.matches('#builds a')"));
    }

    @Test
    void anAdmin_seesTheHealthComponents_andEveryonesBuilds() {
        String someoneElses = server.createBuild(server.userToken(TestServer.newUser()), "hello");
        signIn(server.adminToken(TestServer.newUser()));
        browser.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("health")));
        browser.wait.until(d -> d.findElements(By.cssSelector("#components tbody tr")).size() >= 3);
        String components = browser.driver.findElement(By.id("components")).getText();
        assertThat(components).contains("store").contains("queue").contains("up");
        // the server lists everyone's tasks (?all=true in its document): the toggle shows them
        browser.wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("admin-toggle")));
        assertThat(browser.driver.findElements(By.cssSelector("#builds tr[data-task-id='" + someoneElses + "']")))
                .as("only the admin's own builds before the toggle").isEmpty();
        browser.driver.findElement(By.id("everyone")).click();
        assertThat(awaitRow("#builds", someoneElses)).contains("hello");
        browser.screenshot("14-admin-health");
    }
}
