package dev.forge.analysis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A finding's fingerprint: what stays the same while the code around it does, so two analyses
 * can tell a finding that moved from one that is new. It is the SHA-256 (first 16 hex digits) of
 * the rule id (lower case), the file, and the normalised code at the finding: its line and the
 * nearest non-blank line above and below, each stripped with runs of white space made one space.
 * The line number is not part of it, so lines added or removed elsewhere change nothing; an edit
 * of the finding's own line or its neighbours makes it a different finding. Findings without a
 * line (or whose file cannot be read) use their message instead of the code.
 */
final class Fingerprints {

    /** Files larger than this are not read for context (the message is used). */
    private static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    private final Path workspace;
    private final Map<String, List<String>> lines = new HashMap<>();

    Fingerprints(Path workspace) {
        this.workspace = workspace.toAbsolutePath().normalize();
    }

    String of(Finding finding) {
        String context = finding.file() == null || finding.line() == 0 ? null
                : around(lines(finding.file()), finding.line() - 1);
        if (context == null) {
            context = "message:" + normalise(finding.message());
        }
        return hash(finding.ruleId().toLowerCase(Locale.ROOT) + '\0' + finding.file() + '\0' + context);
    }

    private static String around(List<String> file, int index) {
        if (file == null || index < 0 || index >= file.size()) {
            return null;
        }
        StringBuilder context = new StringBuilder();
        for (int i = index - 1; i >= 0; i--) {
            if (!file.get(i).isBlank()) {
                context.append(normalise(file.get(i)));
                break;
            }
        }
        context.append('\n').append(normalise(file.get(index))).append('\n');
        for (int i = index + 1; i < file.size(); i++) {
            if (!file.get(i).isBlank()) {
                context.append(normalise(file.get(i)));
                break;
            }
        }
        return context.toString();
    }

    private List<String> lines(String relative) {
        return lines.computeIfAbsent(relative, this::read);
    }

    private List<String> read(String relative) {
        Path file = workspace.resolve(relative).normalize();
        try {
            if (!file.startsWith(workspace) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    || Files.size(file) > MAX_FILE_BYTES) {
                return null;
            }
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return null;
        }
    }

    static String normalise(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    private static String hash(String text) {
        MessageDigest digest = SourceFiles.digest();
        return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 8);
    }
}
