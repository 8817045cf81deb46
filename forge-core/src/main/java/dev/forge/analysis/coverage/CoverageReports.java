package dev.forge.analysis.coverage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.ext.DeclHandler;
import org.xml.sax.helpers.DefaultHandler;

/** Reads line counts from JaCoCo XML, Cobertura XML and LCOV reports. */
final class CoverageReports {

    /** A report's format. */
    enum Format {
        JACOCO, COBERTURA, LCOV
    }

    /**
     * What one report says.
     *
     * @param covered lines covered, or -1 when the report gives only a rate
     * @param total   lines measured, or -1 when the report gives only a rate
     * @param rate    the report's own 0-1 rate when it has no counts, else -1
     */
    record Lines(Format format, long covered, long total, double rate) {
        boolean hasCounts() {
            return total >= 0;
        }
    }

    private CoverageReports() {
    }

    /**
     * Reads a report.
     *
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if it is not a coverage report forge knows
     */
    static Lines read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".info") || name.endsWith(".lcov") || startsLikeLcov(file)) {
            return lcov(file);
        }
        return xml(file);
    }

    private static boolean startsLikeLcov(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = reader.readLine();
            return first != null && (first.startsWith("TN:") || first.startsWith("SF:"));
        } catch (java.nio.charset.MalformedInputException e) {
            return false;
        }
    }

    static Lines lcov(Path file) throws IOException {
        long found = 0;
        long hit = 0;
        long daTotal = 0;
        long daCovered = 0;
        boolean sawSummary = false;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                line = line.strip();
                if (line.startsWith("LF:")) {
                    found += parseCount(line.substring(3));
                    sawSummary = true;
                } else if (line.startsWith("LH:")) {
                    hit += parseCount(line.substring(3));
                    sawSummary = true;
                } else if (line.startsWith("DA:")) {
                    String[] parts = line.substring(3).split(",");
                    if (parts.length >= 2) {
                        daTotal++;
                        if (parseCount(parts[1]) > 0) {
                            daCovered++;
                        }
                    }
                }
            }
        }
        if (sawSummary) {
            return new Lines(Format.LCOV, hit, found, -1);
        }
        if (daTotal > 0) {
            return new Lines(Format.LCOV, daCovered, daTotal, -1);
        }
        throw new IllegalArgumentException("no LF/LH or DA records");
    }

    static Lines xml(Path file) throws IOException {
        ReportHandler handler = new ReportHandler();
        try (InputStream in = Files.newInputStream(file)) {
            InputSource source = new InputSource(in);
            source.setSystemId(file.getFileName().toString());
            newParser().parse(source, handler);
        } catch (SAXException e) {
            throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
        }
        return handler.result();
    }

    /**
     * A SAX parser that never loads a DTD or an external entity. JaCoCo reports declare a
     * DOCTYPE, so declarations are allowed but not fetched; secure processing bounds entity
     * expansion (the "billion laughs").
     */
    static SAXParser newParser() {
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(false);
            factory.setValidating(false);
            factory.setXIncludeAware(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            SAXParser parser = factory.newSAXParser();
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            // Coverage reports never declare entities; one that does is refused at once, before
            // any expansion (external file reads, or the exponential "billion laughs").
            parser.setProperty("http://xml.org/sax/properties/declaration-handler", new NoEntities());
            return parser;
        } catch (ParserConfigurationException | SAXException e) {
            throw new IllegalStateException("the JDK's XML parser lacks a required feature", e);
        }
    }

    /** Refuses every entity declaration. */
    private static final class NoEntities implements DeclHandler {
        @Override
        public void elementDecl(String name, String model) {
        }

        @Override
        public void attributeDecl(String eName, String aName, String type, String mode, String value) {
        }

        @Override
        public void internalEntityDecl(String name, String value) throws SAXException {
            throw new SAXException("entity declarations are not allowed in a coverage report");
        }

        @Override
        public void externalEntityDecl(String name, String publicId, String systemId) throws SAXException {
            throw new SAXException("entity declarations are not allowed in a coverage report");
        }
    }

    private static long parseCount(String value) {
        try {
            return Math.max(0, Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Understands the root element of JaCoCo ({@code report}) and Cobertura ({@code coverage}). */
    private static final class ReportHandler extends DefaultHandler {
        private int depth;
        private String root;
        private long jacocoCovered = -1;
        private long jacocoMissed = -1;
        private long coberturaValid = -1;
        private long coberturaCovered = -1;
        private double coberturaRate = -1;
        private String currentFile = "";
        private final Set<String> linesSeen = new HashSet<>();
        private long linesCovered;

        @Override
        public InputSource resolveEntity(String publicId, String systemId) {
            // Never fetch anything the document points at (DTDs, external entities).
            return new InputSource(new StringReader(""));
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attrs) {
            depth++;
            if (depth == 1) {
                root = qName;
                if ("coverage".equals(qName)) {
                    coberturaValid = parseLong(attrs.getValue("lines-valid"));
                    coberturaCovered = parseLong(attrs.getValue("lines-covered"));
                    coberturaRate = parseRate(attrs.getValue("line-rate"));
                }
                return;
            }
            if ("report".equals(root) && depth == 2 && "counter".equals(qName)
                    && "LINE".equals(attrs.getValue("type"))) {
                jacocoCovered = parseLong(attrs.getValue("covered"));
                jacocoMissed = parseLong(attrs.getValue("missed"));
            } else if ("coverage".equals(root)) {
                if ("class".equals(qName)) {
                    String filename = attrs.getValue("filename");
                    currentFile = filename == null ? "" : filename;
                } else if ("line".equals(qName) && attrs.getValue("number") != null) {
                    // Lines appear under a class and again under its methods: count each once.
                    if (linesSeen.add(currentFile + ":" + attrs.getValue("number"))
                            && parseLong(attrs.getValue("hits")) > 0) {
                        linesCovered++;
                    }
                }
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            depth--;
        }

        Lines result() {
            if ("report".equals(root)) {
                if (jacocoCovered < 0 || jacocoMissed < 0) {
                    throw new IllegalArgumentException("JaCoCo report without a report-level LINE counter");
                }
                return new Lines(Format.JACOCO, jacocoCovered, jacocoCovered + jacocoMissed, -1);
            }
            if ("coverage".equals(root)) {
                if (coberturaValid >= 0 && coberturaCovered >= 0) {
                    return new Lines(Format.COBERTURA, coberturaCovered, coberturaValid, -1);
                }
                if (!linesSeen.isEmpty()) {
                    return new Lines(Format.COBERTURA, linesCovered, linesSeen.size(), -1);
                }
                if (coberturaRate >= 0) {
                    return new Lines(Format.COBERTURA, -1, -1, coberturaRate);
                }
                throw new IllegalArgumentException("Cobertura report without line counts or line-rate");
            }
            throw new IllegalArgumentException("unknown XML report root <" + root + ">");
        }

        private static long parseLong(String value) {
            if (value == null) {
                return -1;
            }
            try {
                return Math.max(0, Long.parseLong(value.strip()));
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        private static double parseRate(String value) {
            if (value == null) {
                return -1;
            }
            try {
                double rate = Double.parseDouble(value.strip());
                return rate >= 0 && rate <= 1 ? rate : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}
