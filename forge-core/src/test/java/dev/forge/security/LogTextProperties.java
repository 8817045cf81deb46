package dev.forge.security;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Example;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;


/** Whatever text goes in, what comes out fits on one line and shows nothing invisible. */
class LogTextProperties {

    @Property(tries = 1000)
    void escape_anyText_hasNoControlSeparatorOrFormatCharacter(@ForAll("hostile") String text) {
        String escaped = LogText.escape(text);

        escaped.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            assertThat(type).as("code point U+%04X in %s", cp, escaped)
                    .isNotIn((int) Character.CONTROL, (int) Character.FORMAT, (int) Character.LINE_SEPARATOR,
                            (int) Character.PARAGRAPH_SEPARATOR, (int) Character.SURROGATE);
        });
    }

    @Property(tries = 1000)
    void escape_textWithNothingToEscape_isReturnedUnchanged(@ForAll("clean") String text) {
        assertThat(LogText.escape(text)).isSameAs(text);
    }

    @Property(tries = 500)
    void escape_keepsEveryPrintableCharacterInOrder(@ForAll("hostile") String text) {
        String escaped = LogText.escape(text);
        StringBuilder printable = new StringBuilder();
        text.codePoints().filter(cp -> {
            int type = Character.getType(cp);
            return type != Character.CONTROL && type != Character.FORMAT && type != Character.SURROGATE
                    && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR;
        }).forEach(printable::appendCodePoint);

        assertThat(escaped.replaceAll("\\\\(u[0-9a-f]{4}|[nrt])", "")).isEqualTo(printable.toString()
                .replaceAll("\\\\(u[0-9a-f]{4}|[nrt])", ""));
    }

    @Example
    void escape_forgedLogLine_staysOnOneLine() {
        assertThat(LogText.escape("alice\n12:00:00.000 ERROR dev.forge.Forge [] disk full\r\u001b[2K"))
                .isEqualTo("alice\\n12:00:00.000 ERROR dev.forge.Forge [] disk full\\r\\u001b[2K");
        assertThat(LogText.escape("\u0000\t\u202e\uD800x\uD83D\uDE00")).isEqualTo("\\u0000\\t\\u202e\\ud800x\uD83D\uDE00");
        assertThat(LogText.escape(null)).isNull();
    }

    @Provide
    Arbitrary<String> hostile() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(80),
                Arbitraries.strings().withChars("ab \n\r\t\u0000\u001b\u007f\u0085\u2028\u2029\u202e\u200b\uFEFF\uD800\uDC00\\")
                        .ofMaxLength(40));
    }

    @Provide
    Arbitrary<String> clean() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars("éß漢字").ofMaxLength(80);
    }
}
