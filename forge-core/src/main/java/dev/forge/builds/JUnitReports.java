package dev.forge.builds;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Sums JUnit XML reports (Surefire, Gradle, pytest, jest-junit, ...): {@code <testsuite>} or
 * {@code <testsuites>} roots, counted by {@code <testcase>} (a case with {@code <failure>} or
 * {@code <error>} failed, one with {@code <skipped>} was skipped); a file without test cases
 * falls back to its outermost suites' {@code tests/failures/errors/skipped} attributes.
 *
 * <p>Reports are written by the build, so they are untrusted input: the JDK's StAX parser is
 * used with DTD support and external entities off, and a file with any DOCTYPE is rejected
 * whole, so neither entity expansion (billion laughs) nor external entities (XXE) can happen.
 * A rejected or malformed file adds nothing to the totals and is reported as a problem.
 * Not thread-safe; one instance per build.
 */
final class JUnitReports {

    static final int MAX_FAILURES = 50;
    static final int MAX_MESSAGE = 1000;
    static final int MAX_TEST_NAME = 500;
    static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

    private static final XMLInputFactory FACTORY = hardenedFactory();

    private long total;
    private long failed;
    private long skipped;
    private final List<Map<String, Object>> failures = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    private static XMLInputFactory hardenedFactory() {
        // the JDK's own implementation, whatever StAX provider is on the classpath; its secure
        // processing limits are on by default
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external resources are not read: " + systemId);
        });
        return factory;
    }

    /** Adds one report file; {@code name} is how problems refer to it. */
    void add(Path file, String name) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                problems.add("junit report '" + name + "' ignored: larger than " + MAX_FILE_BYTES + " bytes");
                return;
            }
            FileTotals totals;
            try (InputStream in = Files.newInputStream(file)) {
                totals = parse(in);
            }
            if (totals.problem != null) {
                problems.add("junit report '" + name + "' ignored: " + totals.problem);
                return;
            }
            total += totals.total;
            failed += totals.failed;
            skipped += totals.skipped;
            for (Map<String, Object> failure : totals.failures) {
                if (failures.size() < MAX_FAILURES) {
                    failures.add(failure);
                }
            }
        } catch (XMLStreamException e) {
            problems.add("junit report '" + name + "' ignored: not well-formed XML ("
                    + firstLine(e.getMessage()) + ")");
        } catch (IOException e) {
            problems.add("junit report '" + name + "' ignored: " + e.getClass().getSimpleName());
        }
    }

    /** {@code {"total", "passed", "failed", "skipped"}}. */
    Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("total", total);
        summary.put("passed", Math.max(0, total - failed - skipped));
        summary.put("failed", failed);
        summary.put("skipped", skipped);
        return summary;
    }

    /** Failed tests with their messages, at most {@link #MAX_FAILURES}. */
    List<Map<String, Object>> failures() {
        return List.copyOf(failures);
    }

    /** Why files were ignored. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    private static final class FileTotals {
        long total;
        long failed;
        long skipped;
        long suiteTests;
        long suiteFailed;
        long suiteSkipped;
        final List<Map<String, Object>> failures = new ArrayList<>();
        String problem;
    }

    private static FileTotals parse(InputStream in) throws XMLStreamException {
        FileTotals totals = new FileTotals();
        XMLStreamReader reader = FACTORY.createXMLStreamReader(in);
        try {
            int depth = 0;
            boolean rootSeen = false;
            boolean rootIsSuites = false;
            boolean outerSuiteCounted = false;
            String testName = null;
            boolean caseFailed = false;
            boolean caseSkipped = false;
            String message = null;
            StringBuilder text = null;
            while (reader.hasNext()) {
                int event = reader.next();
                switch (event) {
                    case XMLStreamConstants.DTD -> {
                        totals.problem = "a DOCTYPE is not allowed";
                        return totals;
                    }
                    case XMLStreamConstants.START_ELEMENT -> {
                        depth++;
                        String element = reader.getLocalName();
                        if (!rootSeen) {
                            rootSeen = true;
                            rootIsSuites = element.equals("testsuites");
                            if (!rootIsSuites && !element.equals("testsuite")) {
                                totals.problem = "root element <" + element + "> is not a JUnit report";
                                return totals;
                            }
                        }
                        switch (element) {
                            case "testsuite", "testsuites" -> {
                                // outermost suites only, or nested suites would count twice
                                if (element.equals("testsuite") && depth == (rootIsSuites ? 2 : 1)) {
                                    outerSuiteCounted = true;
                                    addSuiteAttributes(reader, totals);
                                }
                            }
                            case "testcase" -> {
                                testName = testName(reader);
                                caseFailed = false;
                                caseSkipped = false;
                                message = null;
                            }
                            case "failure", "error" -> {
                                if (testName != null && !caseFailed) {
                                    caseFailed = true;
                                    message = reader.getAttributeValue(null, "message");
                                    if (message == null || message.isBlank()) {
                                        text = new StringBuilder();
                                        String type = reader.getAttributeValue(null, "type");
                                        message = type == null ? "" : type;
                                    }
                                }
                            }
                            case "skipped" -> {
                                if (testName != null) {
                                    caseSkipped = true;
                                }
                            }
                            default -> {
                                // properties, system-out, flakyFailure (passed on rerun), ...
                            }
                        }
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                        if (text != null && text.length() < MAX_MESSAGE) {
                            text.append(reader.getText(), 0,
                                    Math.min(reader.getTextLength(), MAX_MESSAGE - text.length()));
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        depth--;
                        String element = reader.getLocalName();
                        if ((element.equals("failure") || element.equals("error")) && text != null) {
                            String body = text.toString().strip();
                            if (!body.isEmpty()) {
                                message = firstLine(body);
                            }
                            text = null;
                        } else if (element.equals("testcase") && testName != null) {
                            totals.total++;
                            if (caseFailed) {
                                totals.failed++;
                                if (totals.failures.size() < MAX_FAILURES) {
                                    Map<String, Object> failure = new LinkedHashMap<>();
                                    failure.put("test", testName);
                                    failure.put("message", cap(message == null ? "" : message, MAX_MESSAGE));
                                    totals.failures.add(failure);
                                }
                            } else if (caseSkipped) {
                                totals.skipped++;
                            }
                            testName = null;
                        }
                    }
                    default -> {
                        // comments, processing instructions, whitespace
                    }
                }
            }
            if (totals.total == 0 && outerSuiteCounted) {
                totals.total = totals.suiteTests;
                totals.failed = Math.min(totals.suiteFailed, totals.suiteTests);
                totals.skipped = Math.min(totals.suiteSkipped, totals.suiteTests - totals.failed);
            }
            return totals;
        } finally {
            reader.close();
        }
    }

    private static void addSuiteAttributes(XMLStreamReader reader, FileTotals totals) {
        totals.suiteTests += number(reader.getAttributeValue(null, "tests"));
        totals.suiteFailed += number(reader.getAttributeValue(null, "failures"))
                + number(reader.getAttributeValue(null, "errors"));
        totals.suiteSkipped += number(reader.getAttributeValue(null, "skipped"));
    }

    private static String testName(XMLStreamReader reader) {
        String name = reader.getAttributeValue(null, "name");
        String className = reader.getAttributeValue(null, "classname");
        String full;
        if (className == null || className.isBlank()) {
            full = name == null ? "(unnamed)" : name;
        } else {
            full = name == null ? className : className + "." + name;
        }
        return cap(full, MAX_TEST_NAME);
    }

    private static long number(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            try {
                double d = Double.parseDouble(value.trim());
                return Double.isFinite(d) && d > 0 ? (long) d : 0;
            } catch (NumberFormatException again) {
                return 0;
            }
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String stripped = text.strip();
        int newline = stripped.indexOf('\n');
        return cap(newline < 0 ? stripped : stripped.substring(0, newline).strip(), MAX_MESSAGE);
    }

    private static String cap(String text, int max) {
        String clean = text.replace('\r', ' ').replace('\0', ' ');
        return clean.length() <= max ? clean : clean.substring(0, max) + "...";
    }
}
