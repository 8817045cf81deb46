package dev.example;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Legacy code with the kind of problems analysis is for: it compiles and runs, but a review
 * would flag it. Run an analysis of this project to see them reported.
 */
public class ReportExporter {

    private int exportedCount;

    /** A checksum of a report, for change detection. */
    public String checksum(String report) {
        try {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            byte[] hash = digest.digest(report.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : hash) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
        }
        return "";
    }

    /** Prints a report with the system's printer command. */
    public Process print(String file) throws IOException {
        return Runtime.getRuntime().exec("sh -c lpr " + file);
    }
}
