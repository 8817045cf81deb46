package dev.forge.analysis;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Size of a workspace's code: source files by extension and their non-blank lines. Comments
 * count as lines - the score is about density of problems, and counting comments the same way
 * every time keeps the same code scoring the same.
 */
record CodeSize(long linesOfCode, int files, Map<String, Integer> languages) {

    /** Source extensions counted, mapped to a language name. */
    static final Map<String, String> LANGUAGES = Map.ofEntries(
            Map.entry("java", "java"), Map.entry("kt", "kotlin"), Map.entry("kts", "kotlin"),
            Map.entry("scala", "scala"), Map.entry("groovy", "groovy"), Map.entry("js", "javascript"),
            Map.entry("jsx", "javascript"), Map.entry("mjs", "javascript"), Map.entry("ts", "typescript"),
            Map.entry("tsx", "typescript"), Map.entry("py", "python"), Map.entry("go", "go"),
            Map.entry("rs", "rust"), Map.entry("c", "c"), Map.entry("h", "c"), Map.entry("cc", "cpp"),
            Map.entry("cpp", "cpp"), Map.entry("hpp", "cpp"), Map.entry("cs", "csharp"),
            Map.entry("rb", "ruby"), Map.entry("php", "php"), Map.entry("swift", "swift"),
            Map.entry("sh", "shell"));

    /** Files over this size are generated or data, not hand-written code. */
    static final long MAX_FILE_BYTES = 2L * 1024 * 1024;

    CodeSize {
        languages = Map.copyOf(languages);
    }

    static CodeSize of(Path workspace) {
        List<Path> files = SourceFiles.find(workspace, p -> language(p) != null
                && p.toFile().length() <= MAX_FILE_BYTES);
        long lines = 0;
        Map<String, Integer> languages = new TreeMap<>();
        for (Path file : files) {
            byte[] content = SourceFiles.read(file);
            if (SourceFiles.looksBinary(content)) {
                continue;
            }
            lines += nonBlankLines(content);
            languages.merge(language(file), 1, Integer::sum);
        }
        int counted = languages.values().stream().mapToInt(Integer::intValue).sum();
        return new CodeSize(lines, counted, languages);
    }

    static long nonBlankLines(byte[] content) {
        long lines = 0;
        boolean blank = true;
        for (byte b : content) {
            if (b == '\n') {
                if (!blank) {
                    lines++;
                }
                blank = true;
            } else if (b != ' ' && b != '\t' && b != '\r' && b != '\f') {
                blank = false;
            }
        }
        return blank ? lines : lines + 1;
    }

    private static String language(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : LANGUAGES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
